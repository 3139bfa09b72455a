import KerasInspect

/// What one run of the command produced.
public struct CommandResult: Equatable, Sendable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String

    public init(exitCode: Int32, standardOutput: String = "", standardError: String = "") {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// A failure on input: one line on stderr, exit code 2.
    static func failure(_ message: String) -> CommandResult {
        CommandResult(exitCode: ExitCode.unreadableInput, standardError: "kerasinspect: \(message)\n")
    }
}

public enum ExitCode {
    public static let success: Int32 = 0
    /// The input was read but has problems (verify, lint, compare).
    public static let problemsFound: Int32 = 1
    /// The input could not be read, or the command line was wrong.
    public static let unreadableInput: Int32 = 2
}

/// Dispatches `kerasinspect [COMMAND] …`; a bare file argument means `summary`.
public enum CLI {
    public static let version = "0.1.0"

    static let commands: [String: @Sendable ([String]) -> CommandResult] = [
        "summary": SummaryCommand.run,
        "verify": VerifyCommand.run,
        "weights": WeightsCommand.run,
        "explain": ExplainCommand.run,
        "lint": LintCommand.run,
        "run": RunCommand.run,
        "diff": DiffCommand.run,
        "snapshot": SnapshotCommand.run,
        "check": CheckCommand.run,
        "scan": ScanCommand.run,
    ]

    public static func run(_ arguments: [String]) -> CommandResult {
        guard let first = arguments.first else {
            return CommandResult(exitCode: ExitCode.unreadableInput, standardError: usage)
        }
        switch first {
        case "--help", "-h", "help":
            return CommandResult(exitCode: ExitCode.success, standardOutput: usage)
        case "--version":
            return CommandResult(exitCode: ExitCode.success, standardOutput: "kerasinspect \(version)\n")
        default:
            if let command = commands[first] { return command(Array(arguments.dropFirst())) }
            return SummaryCommand.run(arguments)
        }
    }

    /// The command-line tool's entry point: `run` with every model file parsed in a forked
    /// child (`FileIsolation`), under the limits the environment sets.
    public static func runIsolated(_ arguments: [String]) -> CommandResult {
        switch FileIsolation.fromEnvironment() {
        case .failure(let error): return .failure(error.message)
        case .success(let isolation): return FileIsolation.$current.withValue(isolation) { run(arguments) }
        }
    }

    static let usage = """
        kerasinspect \(version): inspect Keras model files without Python

        Usage:
          kerasinspect FILE [options]                 same as 'kerasinspect summary FILE'
          kerasinspect summary FILE [options]         Keras' model.summary(), computed from the file
          kerasinspect explain FILE [LAYER...]        every parameter count with its arithmetic
          kerasinspect weights FILE [LAYER...]        every stored array: path, shape, dtype, bytes
          kerasinspect verify FILE                    stored arrays against the config; NaN/Inf
          kerasinspect lint FILE                      patterns that are legal but usually mistakes
          kerasinspect run FILE --input X.npy         run the model in Swift (one --input per model
                                                      input, or one .npz holding them all)
          kerasinspect diff A B                       what differs between two models, in any formats
                                                      (--format text|json|markdown; exit 1 if anything)
          kerasinspect snapshot FILE                  a sorted JSON baseline: architecture, params,
                                                      per weight shape, dtype, stats and SHA-256
          kerasinspect check FILE --baseline LOCK     exit 1 with what drifted from a snapshot
          kerasinspect scan PATH...                   risky content (Lambda code, foreign modules,
                                                      external models, paths); never runs anything
                                                      (--format text|json|sarif, --fail-on SEVERITY,
                                                      --jobs N files at once)

        Options:
          --weights FILE        take the weights from FILE (FILE is a save_weights .h5 or .weights.h5)
          --config FILE         take the architecture from FILE (model.json or a trusted model file)
          --format text|json    output format (summary, weights, verify, lint; default text);
                                jsonl (summary, verify, scan): one JSON object per file and line
          --expand-nested       summary: list the layers of nested models under them
          --columns LIST        summary: add columns: input-shape,kernel,macs,params-percent,trainable
          --batch-size N        summary: batch size for the MAC and memory estimates (default 1)
          --stats               weights: min, max, mean, std, NaN/Inf counts, zeros, health flags
          --no-values           verify: check names and shapes only, read no weight values
          --output FILE         run: write the outputs (.npy for one output, .npz for several)
          --expected FILE       run: compare with Keras' output (.npy, one per output)
          --expected-npz FILE   run: compare with Keras' outputs (.npz, by output name or order)
          --layers-npz FILE     run: reference outputs of every layer; names the first that differs
          --atol X, --rtol X    run: tolerances for the comparisons (default 1e-4 each; 1e-2 with
                                float16 layers, 8e-2 with bfloat16 layers)
          --repeat N            run: time N forward passes and print the median
          --theano-kernels      run: flip convolution kernels (a Keras 1 model trained with Theano)
          --help                show this help
          --version             show the version

        Every file is parsed in a child process: a crash or hang inside libhdf5 on a damaged
        file is one error line. KERASINSPECT_TIMEOUT (seconds, default 600) and
        KERASINSPECT_ADDRESS_SPACE (bytes, default 6G) set its limits; KERASINSPECT_IN_PROCESS=1
        parses in process (for a debugger).

        Exit codes: 0 success; 1 verify found problems, or run's outputs differ from the
        reference; 2 the file could not be read or run, or the command line is wrong.

        """
}
