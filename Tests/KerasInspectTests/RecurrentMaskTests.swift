import Foundation
import Testing
@testable import KerasInspect

/// What ForwardCaseTests does not check: the masks layers hand on (Keras' `compute_mask` in
/// `fixtures/forward_cases/recurrent.*.json`), and whole models where masks and initial states
/// travel between layers as the saved file wires them (`fixtures/forward_cases/models/`, written
/// by `recurrent.py` with each generation's Keras, with the outputs Keras computed).
@Suite struct RecurrentMaskTests {
    static func recurrentCases() -> [ForwardCase] {
        ForwardCase.all().filter { $0.file.hasPrefix("recurrent.") }
    }

    @Test(arguments: recurrentCases())
    func outputMasksMatchKeras(_ forwardCase: ForwardCase) throws {
        let config = LayerConfig(className: forwardCase.className, object: forwardCase.config)
        let kind = try #require(try LayerCatalog.standard.makeLayer(config))
        let inputShapes = forwardCase.inputs.map { TensorShape([nil] + $0.shape.dropFirst().map { $0 }) }
        let expected = try kind.expectedWeights(for: inputShapes)
        let stored = zip(forwardCase.weightNames, forwardCase.weights).map {
            StoredWeight(name: $0.0, path: $0.0, shape: $0.1.shape, dtype: "float32")
        }
        let (pairs, _, _) = WeightPairing.pair(expected: expected, stored: stored)
        let weights = try pairs.enumerated().map { index, pair in
            try forwardCase.weights[try #require(pair)].reshaped(expected[index].shape)
        }
        let outputs = try kind.forward(forwardCase.inputs, weights: weights)
        for (index, (actual, keras)) in zip(outputs, forwardCase.outputs).enumerated() {
            // The runtime keeps (batch, time) masks only: Keras' mask of a rank-4 Masking
            // output has an axis more, and no recurrent layer could read it.
            let kerasMask = keras.rank == 3 ? keras.mask : nil
            #expect(actual.mask == kerasMask, "output \(index) mask")
        }
    }

    /// The recurrent kernels' own tanh against the C library's, over the whole useful range.
    @Test func fastTanhIsAccurate() {
        var worst: Float = 0
        var x: Float = -12
        while x <= 12 {
            let exact = Float(Foundation.tanh(Double(x)))
            let error = abs(Kernels.tanh(x) - exact)
            worst = max(worst, error / max(abs(exact), 1e-30))
            x += 0.000_37
        }
        #expect(worst < 1e-6, "largest relative error \(worst)")
        #expect(Kernels.tanh(0) == 0 && Kernels.tanh(.infinity) == 1 && Kernels.tanh(-.infinity) == -1)
        #expect(Kernels.tanh(.nan).isNaN)
    }

    struct ModelCase: Sendable, CustomTestStringConvertible {
        let file: URL
        let io: URL
        var testDescription: String { file.lastPathComponent }
    }

    static func models() -> [ModelCase] {
        FixturePaths.files(in: "forward_cases/models", withSuffix: ".h5").map { file in
            ModelCase(file: file, io: file.deletingPathExtension().appendingPathExtension("io.json"))
        }
    }

    @Test func modelsExist() {
        #expect(Self.models().count >= 6)
    }

    @Test(arguments: models())
    func modelRunsLikeKeras(_ model: ModelCase) throws {
        try check(model)
    }

    func check(_ model: ModelCase) throws {
        let document = try JSONParser.parse([UInt8](try Data(contentsOf: model.io)))
        func tensors(_ key: String) -> [Tensor] {
            (document[key]?.arrayValue ?? []).map { item in
                Tensor(shape: (item["shape"]?.arrayValue ?? []).compactMap(\.intValue),
                       values: (item["values"]?.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) })
            }
        }
        let outputs = try ModelRunner(try ModelFile.open(model.file.path)).run(tensors("inputs")).outputs
        let expected = tensors("outputs")
        #expect(outputs.count == expected.count)
        for (index, (actual, keras)) in zip(outputs, expected).enumerated() {
            #expect(actual.shape == keras.shape, "output \(index) shape")
            let (maxError, close) = closeness(actual, keras, atol: 1e-4, rtol: 1e-4)
            #expect(close, "output \(index): max abs error \(maxError)")
        }
    }
}
