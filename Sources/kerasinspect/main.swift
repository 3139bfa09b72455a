import Glibc
import KerasInspectCLI

// Foundation is deliberately not linked: it would add dozens of shared libraries to start-up.

let result = CLI.runIsolated(Array(CommandLine.arguments.dropFirst()))
// A write that fails (a full disk, a closed pipe) must not look like success.
guard writeAll(result.standardOutput, to: STDOUT_FILENO) else {
    writeAll("kerasinspect: cannot write the output: \(String(cString: strerror(errno)))\n", to: STDERR_FILENO)
    exit(ExitCode.unreadableInput)
}
writeAll(result.standardError, to: STDERR_FILENO)
exit(result.exitCode)
