import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `snapshot` and `check` on `fixtures/diff` (Keras 3), against what `diff_pairs.py` recorded:
/// each weight's SHA-256 of its little-endian float32 bytes (hashlib) and NumPy's statistics.
@Suite("Snapshot and check")
struct SnapshotTests {
    static func path(_ name: String) -> String { DiffTests.path(name) }

    /// FIPS 180-4's own examples.
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func everyFormatGivesTheSameLock() throws {
        let fromH5 = CLI.run(["snapshot", Self.path("base.keras3.h5")])
        let fromArchive = CLI.run(["snapshot", Self.path("base.keras3.keras")])
        #expect(fromH5.exitCode == ExitCode.success)
        #expect(fromH5.standardOutput == fromArchive.standardOutput)
    }

    @Test func weightsAreRecordedAsKerasHoldsThem() throws {
        let truth = try DiffTests.expected()["base"]
        let snapshot = try ModelSnapshot.make(ModelFile.open(Self.path("base.keras3.h5")))
        #expect(snapshot["params"]?["total"]?.intValue == truth?["total_params"]?.intValue)
        var checked = 0
        for layer in snapshot["layers"]?.arrayValue ?? [] {
            for weight in layer["weights"]?.arrayValue ?? [] {
                let key = "\(layer["path"]?.stringValue ?? "")/\(weight["name"]?.stringValue ?? "")"
                let expected = try #require(truth?["weights"]?[key], "\(key) not in Keras' record")
                #expect(weight["sha256"] == expected["sha256"], "\(key)")
                for statistic in ["min", "max", "mean", "std"] {
                    let ours = weight[statistic]?.doubleValue ?? .nan, keras = expected[statistic]?.doubleValue ?? .nan
                    #expect(abs(ours - keras) <= 1e-12 + 1e-9 * abs(keras), "\(key) \(statistic): \(ours) vs \(keras)")
                }
                checked += 1
            }
        }
        #expect(checked == truth?["weights"]?.objectValue?.entries.count)
    }

    /// Writes the base's lock and checks `variant` against it.
    func check(_ variant: String, _ options: [String] = []) throws -> CommandResult {
        let lock = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString).json").path
        try CLI.run(["snapshot", Self.path("base.keras3.h5")]).standardOutput.write(toFile: lock, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: lock) }
        return CLI.run(["check", Self.path(variant), "--baseline", lock] + options)
    }

    @Test func theSameModelMatches() throws {
        let result = try check("base.keras3.keras")
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)")
    }

    @Test func retrainedWeightsDriftEachOnItsLine() throws {
        let changed = (try DiffTests.expected()["retrained"]?["weight_values"]?.arrayValue ?? []).compactMap { $0.arrayValue?[0].stringValue }
        let result = try check("retrained.keras3.h5")
        #expect(result.exitCode == ExitCode.problemsFound)
        let drifted = result.standardOutput.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(drifted.map { String($0.split(separator: ":")[0].dropFirst(2)) } == changed)
        #expect(drifted.allSatisfy { $0.contains("values drifted") })
        // Every statistic moves by at most the largest element change Keras measured.
        let largest = (try DiffTests.expected()["retrained"]?["weight_values"]?.arrayValue ?? []).compactMap { $0.arrayValue?[1].doubleValue }.max() ?? 0
        let tolerant = try check("retrained.keras3.h5", ["--atol", "\(largest * 1.01)", "--rtol", "0"])
        #expect(tolerant.exitCode == ExitCode.success, "\(tolerant.standardOutput)")
    }

    @Test func renamedAndWidenedLayersAreNamed() throws {
        let pair = (try DiffTests.expected()["renamed"]?["renamed"]?.arrayValue?.first?.arrayValue ?? []).compactMap(\.stringValue)
        let renamed = try check("renamed.keras3.h5")
        #expect(renamed.exitCode == ExitCode.problemsFound)
        #expect(renamed.standardOutput.contains("- \(pair[0]): removed"))
        #expect(renamed.standardOutput.contains("+ \(pair[1]): added"))
        let units = try check("units.keras3.h5")
        let field = (try DiffTests.expected()["units"]?["config"]?.arrayValue?.first?.arrayValue) ?? []
        #expect(units.standardOutput.contains("~ \(field[0].stringValue ?? ""): config \(field[1].stringValue ?? "") \(field[2].intValue ?? 0) -> \(field[3].intValue ?? 0)"))
    }

    /// `--input`: the outputs' statistics are Keras' (its predict on the same input), and a
    /// changed activation shows as drift of the output.
    @Test func outputsForAnInput() throws {
        let truth = try #require(try DiffTests.expected()["base"]?["output_stats"])
        let input = try NPY.read(path: Self.path("inputs.npy"))
        let snapshot = try ModelSnapshot.make(ModelFile.open(Self.path("base.keras3.h5")), inputs: [input])
        let output = try #require(snapshot["outputs_for_input"]?.arrayValue?.first)
        for statistic in ["min", "max", "mean", "std"] {
            let ours = output[statistic]?.doubleValue ?? .nan, keras = truth[statistic]?.doubleValue ?? .nan
            #expect(abs(ours - keras) <= 1e-6, "\(statistic): \(ours) vs Keras \(keras)")
        }
        let lock = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString).json").path
        try JSONWriter.string(snapshot).write(toFile: lock, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: lock) }
        let same = CLI.run(["check", Self.path("base.keras3.keras"), "--baseline", lock, "--input", Self.path("inputs.npy")])
        #expect(same.exitCode == ExitCode.success, "\(same.standardOutput)")
        let changed = CLI.run(["check", Self.path("activation.keras3.h5"), "--baseline", lock, "--input", Self.path("inputs.npy")])
        #expect(changed.exitCode == ExitCode.problemsFound)
        #expect(changed.standardOutput.contains("~ output classifier: drifted:"))
        let noInput = CLI.run(["check", Self.path("base.keras3.h5"), "--baseline", lock])
        #expect(noInput.exitCode == ExitCode.unreadableInput)
        #expect(noInput.standardError.contains("give that input (--input)"))
    }

    @Test func aMissingBaselineIsAnError() {
        let result = CLI.run(["check", Self.path("base.keras3.h5"), "--baseline", Self.path("absent.lock.json")])
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardError.contains("absent.lock.json"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }
}
