import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// Formats without a full architecture, and format detection by content.
@Suite struct FormatTests {
    struct WeightsFile: Sendable, CustomTestStringConvertible {
        let file: URL
        let report: JSONValue
        var testDescription: String { file.lastPathComponent }
    }

    /// `save_weights` files of both writers beside each model's Keras report.
    static let weightsFiles: [WeightsFile] = {
        var result: [WeightsFile] = []
        for fixture in FixtureFile.all() where fixture.file.pathExtension == "h5" {
            let weights = fixture.file.deletingPathExtension().appendingPathExtension("weights.h5")
            if FileManager.default.fileExists(atPath: weights.path) {
                result.append(WeightsFile(file: weights, report: fixture.report))
            }
        }
        return result
    }()

    @Test func weightsFilesExist() {
        #expect(Self.weightsFiles.count >= 30)
    }

    /// Alone, a weights file lists its layers' arrays with Keras' total.
    @Test(arguments: weightsFiles)
    func weightsOnlyFileTotalsMatchKeras(_ weights: WeightsFile) throws {
        let file = try ModelFile.open(weights.file.path)
        #expect(file.model.structureUnknown)
        #expect(file.model.parameterCount().total == weights.report["total_params"]?.intValue)
        let storedCount = file.model.layers.reduce(0) { $0 + $1.storedWeights.count }
        var reportedCount = 0
        for layer in weights.report["layers"]?.arrayValue ?? [] {
            reportedCount += layer["weights"]?.arrayValue?.count ?? 0
        }
        #expect(storedCount == reportedCount)
        #expect(CLI.run([weights.file.path]).exitCode == 0)
    }

    @Test(arguments: [
        ("keras3", FileFormat.keras3HDF5), ("tfkeras", FileFormat.tfKerasHDF5),
    ])
    func generationIsRecognisedFromTheFile(_ writer: String, _ format: FileFormat) throws {
        let fixture = try #require(FixtureFile.all().first { $0.writer == writer && $0.file.pathExtension == "h5" })
        let file = try ModelFile.open(fixture.file.path)
        #expect(file.format == format)
        let version = fixture.report["writer"]?.stringValue?.split(separator: " ").last.map(String.init)
        #expect(file.kerasVersion == version)
    }

    @Test func archiveNamesItsFormatAndVersion() throws {
        let fixture = try #require(FixtureFile.all().first { $0.writer == "keras3" && $0.file.pathExtension == "keras" })
        let file = try ModelFile.open(fixture.file.path)
        #expect(file.format == .kerasArchive)
        let version = fixture.report["writer"]?.stringValue?.split(separator: " ").last.map(String.init) ?? "?"
        #expect(file.formatDescription == "Keras archive (.keras), keras \(version)")
    }

    @Test func snakeCaseFollowsKerasNaming() {
        // Keras' own examples (keras-formats.md §5.4): class name → weight group name.
        let pairs = ["PReLU": "p_re_lu", "ReLU": "re_lu", "LeakyReLU": "leaky_re_lu", "Conv2D": "conv2d",
                     "Conv2DTranspose": "conv2d_transpose", "ConvLSTM2D": "conv_lstm2d", "SimpleRNN": "simple_rnn",
                     "MultiHeadAttention": "multi_head_attention", "UpSampling2D": "up_sampling2d",
                     "GlobalAveragePooling2D": "global_average_pooling2d", "InputLayer": "input_layer", "LSTM": "lstm"]
        for (className, snake) in pairs {
            #expect(KerasWeightsTree.snakeCase(className) == snake, "\(className)")
        }
    }
}

/// `model.json` + `save_weights` pairs from both writers: Keras' totals, and `verify` finds
/// the arrays consistent with the architecture (tf-keras weights files carry no layer names,
/// so this exercises Keras' positional group naming).
@Suite struct PairedWeightsTests {
    static let pairs: [FixtureFile] = FixtureFile.all().filter {
        $0.file.pathExtension == "json"
            && FileManager.default.fileExists(atPath: $0.file.deletingPathExtension().appendingPathExtension("weights.h5").path)
    }

    @Test func pairsExist() { #expect(Self.pairs.count >= 30) }

    @Test(arguments: pairs)
    func pairedFilesMatchKeras(_ fixture: FixtureFile) throws {
        let weights = fixture.file.deletingPathExtension().appendingPathExtension("weights.h5").path
        let file = try ModelFile.open(fixture.file.path, weights: weights)
        #expect(file.model.parameterCount().total == fixture.report["total_params"]?.intValue)
        let report = try Verifier.verify(file)
        #expect(report.isConsistent, "\(report.problems)")
        #expect(KerasInspectCLI.CLI.run([weights, "--config", fixture.file.path]).exitCode == 0)
    }
}

/// Keras splits name lists longer than 64 KB into `layer_names0`, `layer_names1`, …
@Suite struct ChunkedNameListTests {
    @Test(arguments: FixtureFile.all().filter { $0.model == "wide_2100_layers" && $0.file.pathExtension == "h5" })
    func chunkedLayerNamesAreReassembled(_ fixture: FixtureFile) throws {
        let group = try HDF5File(path: fixture.file.path).root.group("model_weights")
        #expect(try group.stringsAttribute("layer_names") == nil, "the writer chunked the list")
        #expect(group.hasAttribute("layer_names0") && group.hasAttribute("layer_names1"))
        let names = try #require(try group.chunkedStringsAttribute("layer_names"))
        #expect(names == (fixture.report["layers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
    }
}
