import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `fixtures/operations.py`: a Keras 3 model with `x + 3.0` and `* (1 / 6)` (MobileNetV3's
/// hard_sigmoid). Keras 3's `.h5` stores those operations as classes `Add` and `Multiply`
/// without the module that marks them, which must not make them the merge layers of the same
/// name (a wrong answer without a word); in both formats they are operations, `model.layers`
/// is what Keras lists, and `run` refuses them in one line.
@Suite struct OperationTests {
    static let folder = FixturePaths.fixtures.appendingPathComponent("operations")

    static func report() throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent("scalar_operations.keras3.report.json"))))
    }

    @Test(arguments: ["scalar_operations.keras3.h5", "scalar_operations.keras3.keras"])
    func operationsAreNotTakenForLayers(_ name: String) throws {
        let report = try Self.report()
        let path = Self.folder.appendingPathComponent(name).path
        let file = try ModelFile.open(path)
        #expect(file.model.layers.map(\.name) == report["layers"]?.arrayValue?.compactMap(\.stringValue))
        let operations = file.model.graphLayers.filter(\.isOperation).map(\.name)
        #expect(operations == report["operations"]?.arrayValue?.compactMap(\.stringValue))
        #expect(file.model.parameterCount().total == report["params"]?.intValue)

        let inputs = folder(writing: [Tensor(shape: [1, 4], values: [0.5, -1, 2, 0])])
        defer { try? FileManager.default.removeItem(atPath: inputs) }
        let result = CLI.run(["run", path, "--input", inputs])
        #expect(result.exitCode == ExitCode.unreadableInput, "\(result.standardOutput)")
        #expect(result.standardError.contains("'add' is a Add operation"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    func folder(writing tensors: [Tensor]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ops-input-\(UUID().uuidString).npy").path
        try? NPY.write(tensors[0], to: path)
        return path
    }
}
