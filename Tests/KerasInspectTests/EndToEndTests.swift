import Foundation
import Testing

/// Runs the built `kerasinspect` binary as a user would: real exit codes, and nothing on
/// stderr from libhdf5 itself (its diagnostic printing must stay silenced).
@Suite struct EndToEndTests {
    /// The executable sits next to the test bundle in SwiftPM's build folder.
    static let executable: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("kerasinspect")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return FixturePaths.repositoryRoot.appendingPathComponent(".build/debug/kerasinspect")
    }()

    /// Runs the binary with `environment` added to this process's; both pipes are drained at
    /// once, so neither side blocks on a full pipe.
    static func runBinary(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errors = Data()
        let reader = Thread { errors = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.runBinary(arguments)
    }

    @Test func summaryOfAFixtureExitsZero() throws {
        let path = FixturePaths.fixtures.appendingPathComponent("models/mnist_softmax/mnist_softmax.keras3.h5").path
        let result = try run([path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Total params"))
        #expect(result.stderr.isEmpty)
    }

    @Test(arguments: ["truncated.h5", "corrupt_config.h5", "not_keras.h5"])
    func libhdf5PrintsNothingOnDamagedFiles(_ name: String) throws {
        let path = FixturePaths.fixtures.appendingPathComponent("bad/\(name)").path
        let result = try run([path])
        #expect(result.status == 2)
        #expect(!result.stderr.contains("HDF5-DIAG"))
        #expect(result.stderr.split(separator: "\n").count == 1, "stderr: \(result.stderr)")
    }
}
