import Foundation
import Testing
@testable import KerasInspect

/// MAC counts against numbers derived by hand (the derivation is written next to each),
/// on layers of the Keras-built fixtures. Shapes come from the fixtures; the arithmetic is ours.
@Suite struct CostTests {
    private func costs(_ model: String, batch: Int = 1) throws -> CostReport {
        let fixture = try #require(FixtureFile.all().first { $0.model == model && $0.writer == "keras3" && $0.file.pathExtension == "h5" })
        return CostAnalysis.analyze(try ModelFile.open(fixture.file.path).model, batchSize: batch)
    }

    @Test func dense() throws {
        let report = try costs("mnist_softmax")
        // Dense 784 → 10: each of the 10 outputs is a dot product of 784 inputs = 7,840 MACs.
        #expect(report.cost(of: "dense")?.multiplyAccumulates == 784 * 10)
        // Batch 8 multiplies every call by 8.
        #expect(try costs("mnist_softmax", batch: 8).cost(of: "dense")?.multiplyAccumulates == 8 * 784 * 10)
        #expect(report.totalFLOPs == 2 * 784 * 10)
    }

    @Test func conv2D() throws {
        let report = try costs("conv_224")
        // conv2d: 3×3 kernel over 3 channels, 32 filters, 222×222 outputs:
        // 222·222 positions × 32 filters × (3·3·3) = 42,581,376.
        #expect(report.cost(of: "conv2d")?.multiplyAccumulates == 222 * 222 * 32 * 27)
        // conv2d_1: 220·220 × 64 × (3·3·32) = 892,108,800.
        #expect(report.cost(of: "conv2d_1")?.multiplyAccumulates == 220 * 220 * 64 * 288)
        // dense on 4-D input: 218·218 positions × 10 units × 128 inputs.
        #expect(report.cost(of: "dense")?.multiplyAccumulates == 218 * 218 * 10 * 128)
    }

    @Test func depthwiseAndSeparable() throws {
        let report = try costs("family_convolution")
        // image 17×15×3 → conv2d_same (8 filters, kernel 3×5, strides (2,1), same) → 9×15×8
        // → conv2d_dilated (6 filters, 3×3, dilation 2, valid): 9−4=5, 15−4=11 → 5×11×6
        // → depthwise_conv2d (3×3, multiplier 2, valid): 3×9×12; each output reads 3·3 values:
        //   3·9·12 × 9 = 2,916.
        #expect(report.cost(of: "depthwise_conv2d")?.multiplyAccumulates == 3 * 9 * 12 * 9)
        // separable_conv2d (7 filters, 3×3, same) on 3×9×12: 27 positions;
        //   depthwise 27 × 12 channels × 1 × 9 = 2,916; pointwise 27 × 12 × 7 = 2,268.
        #expect(report.cost(of: "separable_conv2d")?.multiplyAccumulates == 27 * 12 * 9 + 27 * 12 * 7)
    }

    @Test func lstm() throws {
        let report = try costs("rnn_text")
        // lstm: 20 steps × 4 gates × 16 units × (32 inputs + 16 state) = 61,440.
        #expect(report.cost(of: "lstm")?.multiplyAccumulates == 20 * 4 * 16 * (32 + 16))
        // gru: 20 steps × 3 gates × 8 units × (16 + 8) = 11,520.
        #expect(report.cost(of: "gru")?.multiplyAccumulates == 20 * 3 * 8 * (16 + 8))
        // Embedding is a lookup: no multiplications.
        #expect(report.cost(of: "embedding")?.multiplyAccumulates == 0)
    }

    @Test func multiHeadAttention() throws {
        let report = try costs("family_attention")
        // self_attention: query = value = key = (5, 8), 2 heads, key_dim 4, value_dim 4, output 8.
        //   projections: q 5·8·2·4 = 320, k 320, v 320, output 5·2·4·8 = 320;
        //   scores 2·5·5·4 = 200, weighted values 2·5·5·4 = 200. Total 1,680.
        #expect(report.cost(of: "self_attention")?.multiplyAccumulates == 320 * 4 + 200 + 200)
        // cross_attention: query (5, 8), value = key (7, 6), 3 heads, key_dim 2, value_dim 5, output 9.
        //   q 5·8·3·2 = 240, k 7·6·3·2 = 252, v 7·6·3·5 = 630, output 5·3·5·9 = 675,
        //   scores 3·5·7·2 = 210, weighted values 3·5·7·5 = 525. Total 2,532.
        #expect(report.cost(of: "cross_attention")?.multiplyAccumulates == 240 + 252 + 630 + 675 + 210 + 525)
    }

    @Test func activationMemory() throws {
        let report = try costs("mnist_softmax")
        // flatten 784 + dense 10 + softmax 10 float32 outputs = 804 × 4 bytes.
        #expect(report.activationBytes == (784 + 10 + 10) * 4)
        // Parameters 7,850 float32 = 31,400 bytes.
        #expect(report.parameterBytes == 7_850 * 4)
    }
}
