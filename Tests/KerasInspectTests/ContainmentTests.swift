import Foundation
import Testing

/// The built binary parses every file in a forked child (FileIsolation): a crash, a hang or an
/// allocation storm inside libhdf5 on a damaged file becomes one error line naming the file and
/// exit code 2, and a folder scan goes on past it. The damaged files are fixtures/crash/,
/// written by fixtures/crash_cases.py from committed Keras fixtures.
@Suite struct ContainmentTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [Substring] { stderr.split(separator: "\n") }
    }

    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let result = try EndToEndTests.runBinary(arguments, environment: environment)
        return Outcome(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    static func crash(_ name: String) -> String { FixturePaths.fixtures.appendingPathComponent("crash/\(name)").path }

    @Test(arguments: [("crafted_vlen_attr_segv.h5", "SIGSEGV"), ("crafted_vlen_attr_memcpy_segv.h5", "SIGSEGV"),
                      ("crafted_vlen_attr_heap_corruption.h5", "SIG")])
    func aCrashInsideLibhdf5IsOneLine(_ name: String, _ signal: String) throws {
        let path = Self.crash(name)
        for command in [["summary"], ["verify"], ["weights", "--stats"], ["explain"], ["lint"]] {
            let outcome = try run(command + [path])
            #expect(outcome.status == 2, "\(command) \(name)")
            #expect(outcome.lines.count == 1, "\(command) \(name): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("kerasinspect: \(path): parsing it crashed (\(signal)"), "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test func aHangInsideLibhdf5EndsAtTheTimeLimit() throws {
        let started = Date()
        let outcome = try run(["summary", Self.crash("crafted_vlen_attr_hang.h5")], environment: ["KERASINSPECT_TIMEOUT": "2"])
        #expect(outcome.status == 2)
        #expect(outcome.lines == ["kerasinspect: \(Self.crash("crafted_vlen_attr_hang.h5")): gave up after 2 s without an answer "
                                  + "(the reader is stuck: the file is probably damaged); KERASINSPECT_TIMEOUT sets the limit"])
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// One corrupted byte makes libhdf5 try to allocate gigabytes; under a 1 GiB address-space
    /// limit its allocation fails and it reports an error instead.
    @Test func theAddressSpaceLimitStopsAnAllocationStorm() throws {
        let path = Self.crash("crafted_vlen_attr_overallocation.h5")
        let outcome = try run(["summary", path], environment: ["KERASINSPECT_ADDRESS_SPACE": "1G"])
        #expect(outcome.status == 2)
        #expect(outcome.lines.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("kerasinspect: \(path): "))
        #expect(outcome.stderr.contains("allocation"), "\(outcome.stderr)")
    }

    @Test func aScanGoesOnPastAFileThatCrashesTheReader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ki-containment-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["crafted_vlen_attr_segv.h5", "crafted_vlen_attr_memcpy_segv.h5"] {
            try FileManager.default.copyItem(atPath: Self.crash(name), toPath: folder.appendingPathComponent(name).path)
        }
        for model in ["mnist_softmax/mnist_softmax.keras3.h5", "shared_layer/shared_layer.keras3.keras", "nested_models/nested_models.tfkeras.h5"] {
            let source = FixturePaths.fixtures.appendingPathComponent("models/\(model)")
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
        }
        let serial = try run(["scan", folder.path, "--format", "json"])
        let parallel = try run(["scan", folder.path, "--format", "json", "--jobs", "3"])
        #expect(serial.status == 2)
        #expect(parallel.status == serial.status)
        #expect(parallel.stdout == serial.stdout)
        let files = try #require(try JSONSerialization.jsonObject(with: Data(serial.stdout.utf8)) as? [String: Any])["files"] as? [[String: Any]]
        #expect(files?.count == 5)
        for file in files ?? [] {
            let path = file["path"] as? String ?? ""
            if path.contains("crafted_") {
                #expect((file["error"] as? String)?.hasPrefix("\(path): parsing it crashed (SIGSEGV") == true, "\(file)")
            } else {
                #expect(file["error"] is NSNull, "\(file)")
            }
        }
    }

    @Test func isolatedOutputIsTheInProcessOutput() throws {
        let path = FixturePaths.fixtures.appendingPathComponent("models/functional_multi_io/functional_multi_io.keras3.h5").path
        let isolated = try run(["summary", path, "--format", "json"])
        let inProcess = try run(["summary", path, "--format", "json"], environment: ["KERASINSPECT_IN_PROCESS": "1"])
        #expect(isolated.status == 0)
        #expect(isolated.stdout == inProcess.stdout)
        #expect(isolated.stdout.contains("\"total_params\""))
    }

    @Test(arguments: [("KERASINSPECT_TIMEOUT", "soon"), ("KERASINSPECT_ADDRESS_SPACE", "lots")])
    func aLimitThatDoesNotParseIsAnError(_ name: String, _ value: String) throws {
        let path = FixturePaths.fixtures.appendingPathComponent("models/mnist_softmax/mnist_softmax.keras3.h5").path
        let outcome = try run(["summary", path], environment: [name: value])
        #expect(outcome.status == 2)
        #expect(outcome.lines.count == 1)
        #expect(outcome.stderr.contains(name) && outcome.stderr.contains("'\(value)'"))
    }
}
