import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

@Suite struct WeightStatisticsTests {
    /// Plain arithmetic on a hand-made array (no Keras number involved).
    @Test func statisticsOfKnownValues() throws {
        let values: [Float] = [1, -2, 0, .nan, .infinity, 3, 0, -.infinity]
        let statistics = WeightStatistics(values)
        #expect(statistics.count == 8)
        #expect(statistics.nanCount == 1)
        #expect(statistics.positiveInfinityCount == 1 && statistics.negativeInfinityCount == 1)
        #expect(statistics.zeroCount == 2)
        #expect(statistics.minimum == -2 && statistics.maximum == 3)
        #expect(statistics.mean == 0.4)
        #expect(!statistics.isConstant)
        #expect(WeightStatistics([0.5, 0.5, 0.5]).isConstant)
        #expect(WeightStatistics([1, 2000]).isExploding)
    }

    @Test func weightsListsEveryStoredArrayOfTheReport() throws {
        let fixture = try #require(FixtureFile.all().first { $0.model == "bn_dense_1120" && $0.file.pathExtension == "h5" })
        let result = CLI.run(["weights", fixture.file.path, "--format", "json"])
        #expect(result.exitCode == 0)
        let listed = try JSONParser.parse(result.standardOutput)["weights"]?.arrayValue ?? []
        let reportWeights = (fixture.report["layers"]?.arrayValue ?? []).flatMap { $0["weights"]?.arrayValue ?? [] }
        #expect(listed.map { $0["shape"] } == reportWeights.map { $0["shape"] })
        #expect(listed.map { $0["trainable"] } == reportWeights.map { $0["trainable"] })
    }

    @Test func statsFlagNaNAndNegativeVariance() throws {
        let nanFile = FixturePaths.fixtures.appendingPathComponent("crafted/nan_weight.h5").path
        let nanOutput = CLI.run(["weights", nanFile, "dense", "--stats", "--format", "json"])
        let kernel = try JSONParser.parse(nanOutput.standardOutput)["weights"]?.arrayValue?.first
        #expect(kernel?["stats"]?["nan"]?.intValue == 1)
        #expect(kernel?["stats"]?["flags"]?.arrayValue?.contains(.string("nan")) == true)

        let varianceFile = FixturePaths.fixtures.appendingPathComponent("crafted/negative_variance.h5").path
        let text = CLI.run(["weights", varianceFile, "bn_last_axis", "--stats"]).standardOutput
        #expect(text.contains("variance<=0"))
    }

    @Test func unknownLayerNameIsAnError() throws {
        let fixture = try #require(FixtureFile.all().first { $0.model == "mnist_softmax" && $0.file.pathExtension == "h5" })
        #expect(CLI.run(["weights", fixture.file.path, "no_such_layer"]).exitCode == ExitCode.unreadableInput)
    }
}
