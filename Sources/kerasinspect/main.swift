import Glibc
import KerasInspectCLI

// Foundation is deliberately not linked: it would add dozens of shared libraries to start-up.

/// Writes all of `text` to a file descriptor, retrying short writes.
func writeAll(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

let result = CLI.run(Array(CommandLine.arguments.dropFirst()))
writeAll(result.standardOutput, to: STDOUT_FILENO)
writeAll(result.standardError, to: STDERR_FILENO)
exit(result.exitCode)
