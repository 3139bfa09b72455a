import Glibc

/// Where a command parses its model files. libhdf5 is C code that trusts the bytes it reads:
/// one flipped byte in a global heap can make it dereference a bad pointer, copy with a length
/// read from the file, or loop for ever. None of that can be caught inside the process, so the
/// command-line tool parses every file in a forked child (`forkedChild`): a crash, a hang past
/// the time limit or an allocation past the memory limit ends the child, and the parent turns it
/// into one error line naming the file. Tests and library users run `inProcess`.
///
/// A fork without exec costs well under a millisecond (the child shares the parent's pages
/// until it writes them), so every file is contained, not only those a command calls untrusted.
public enum FileIsolation: Sendable {
    case inProcess
    case forkedChild(ChildLimits)

    /// The isolation commands use; `main.swift` sets `forkedChild` around the whole run. Inside a
    /// child it is `inProcess` again, so nothing forks twice.
    @TaskLocal public static var current: FileIsolation = .inProcess

    /// The isolation the environment asks for: forked children under `ChildLimits.fromEnvironment`,
    /// or in process when `KERASINSPECT_IN_PROCESS=1` (for a debugger, which should see the
    /// crash where it happens).
    static func fromEnvironment() -> Result<FileIsolation, UsageError> {
        if ChildLimits.environmentValue("KERASINSPECT_IN_PROCESS") == "1" { return .success(.inProcess) }
        return ChildLimits.fromEnvironment().map { .forkedChild($0) }
    }

    /// Runs one unit of work that reads `paths`.
    func run(reading paths: [String], _ body: @escaping () -> CommandResult) -> CommandResult {
        runAll([IsolatedJob(paths: paths, body: body)], width: 1)[0]
    }

    /// Runs every job, at most `width` at a time when forked (in order when in process);
    /// `finished` is told after each job ends, with how many have. Results keep the jobs' order.
    func runAll(_ jobs: [IsolatedJob], width: Int, finished: (Int) -> Void = { _ in }) -> [CommandResult] {
        switch self {
        case .inProcess:
            var results: [CommandResult] = []
            for job in jobs {
                results.append(job.body())
                finished(results.count)
            }
            return results
        case .forkedChild(let limits):
            var pool = ChildPool(limits: limits)
            return pool.run(jobs, width: max(1, width), finished: finished)
        }
    }
}

/// One unit of work for `FileIsolation`: the files it reads (named in its error line if the
/// child dies) and what it computes.
public struct IsolatedJob {
    var paths: [String]
    var body: () -> CommandResult
}

/// What a forked child may use. Both limits are there so that a hostile file costs the user
/// one error line, not their machine.
public struct ChildLimits: Sendable {
    /// Wall-clock seconds before the child is killed; `nil` waits for ever.
    public var timeoutSeconds: Int?
    /// The child's address-space limit (`RLIMIT_AS`) in bytes; `nil` sets none.
    public var addressSpaceBytes: Int?

    public init(timeoutSeconds: Int?, addressSpaceBytes: Int?) {
        self.timeoutSeconds = timeoutSeconds
        self.addressSpaceBytes = addressSpaceBytes
    }

    /// The default time limit: ten minutes, far above any legitimate read and run of the
    /// models we measure (the slowest whole `weights --stats` of VGG16 takes about a second).
    public static let defaultTimeoutSeconds = 600

    /// Limits from the environment: `KERASINSPECT_TIMEOUT` (seconds, 0 for none) and
    /// `KERASINSPECT_ADDRESS_SPACE` (bytes, or with a K/M/G suffix, 0 for none). A value that
    /// does not parse is an error rather than a silent default.
    static func fromEnvironment() -> Result<ChildLimits, UsageError> {
        var limits = ChildLimits(timeoutSeconds: defaultTimeoutSeconds, addressSpaceBytes: defaultAddressSpaceBytes)
        if let text = environmentValue("KERASINSPECT_TIMEOUT") {
            guard let seconds = Int(text), seconds >= 0 else {
                return .failure(UsageError("KERASINSPECT_TIMEOUT must be a whole number of seconds, got '\(text)'"))
            }
            limits.timeoutSeconds = seconds == 0 ? nil : seconds
        }
        if let text = environmentValue("KERASINSPECT_ADDRESS_SPACE") {
            guard let bytes = byteCount(text) else {
                return .failure(UsageError("KERASINSPECT_ADDRESS_SPACE must be a size in bytes (e.g. 16G), got '\(text)'"))
            }
            limits.addressSpaceBytes = bytes == 0 ? nil : bytes
        }
        return .success(limits)
    }

    /// Address space, not resident memory: OpenBLAS and glibc reserve ranges they never touch,
    /// so the limit (6 GiB) sits well above what the largest model we measure needs (VGG16's
    /// 553 MB of weights run in under 2 GB) and below what a corrupted size makes libhdf5 try.
    public static let defaultAddressSpaceBytes = 6 << 30

    static func environmentValue(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static func byteCount(_ text: String) -> Int? {
        let multipliers: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = text.uppercased()
        var multiplier = 1
        if let last = digits.last, let found = multipliers[last] {
            multiplier = found
            digits.removeLast()
        }
        guard let value = Int(digits), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}

/// The forked children of one `runAll`: their pipes, their deadlines, their results.
struct ChildPool {
    struct Child {
        var index: Int
        var pid: pid_t
        var output: Int32
        var errors: Int32
        var outputBytes: [UInt8] = []
        var errorBytes: [UInt8] = []
        var deadline: Double?
    }

    let limits: ChildLimits
    var running: [Child] = []

    init(limits: ChildLimits) { self.limits = limits }

    mutating func run(_ jobs: [IsolatedJob], width: Int, finished: (Int) -> Void) -> [CommandResult] {
        var results = [CommandResult?](repeating: nil, count: jobs.count)
        var next = 0, done = 0
        while done < jobs.count {
            while running.count < width, next < jobs.count {
                switch start(jobs[next], index: next) {
                case .success(let child): running.append(child)
                case .failure(let result):
                    results[next] = result
                    done += 1
                    finished(done)
                }
                next += 1
            }
            for (index, result) in waitForProgress(jobs) {
                results[index] = result
                done += 1
                finished(done)
            }
        }
        return results.map { $0! }
    }

    func start(_ job: IsolatedJob, index: Int) -> Result<Child, CommandResult> {
        var outputPipe: [Int32] = [0, 0], errorPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0 else { return .failure(.failure("cannot create a pipe: \(String(cString: strerror(errno)))")) }
        guard pipe(&errorPipe) == 0 else {
            close(outputPipe[0]); close(outputPipe[1])
            return .failure(.failure("cannot create a pipe: \(String(cString: strerror(errno)))"))
        }
        let pid = fork()
        if pid < 0 {
            for descriptor in outputPipe + errorPipe { close(descriptor) }
            return .failure(.failure("cannot start a process to read \(job.paths.joined(separator: ", ")): \(String(cString: strerror(errno)))"))
        }
        if pid == 0 {
            close(outputPipe[0]); close(errorPipe[0])
            for child in running { close(child.output); close(child.errors) }
            // The pipes become the child's standard output and error, so what C libraries print
            // on their own (glibc's "free(): invalid pointer" before an abort) is captured too.
            dup2(outputPipe[1], STDOUT_FILENO); dup2(errorPipe[1], STDERR_FILENO)
            close(outputPipe[1]); close(errorPipe[1])
            prepareChild()
            let result = FileIsolation.$current.withValue(.inProcess) { job.body() }
            writeAll(result.standardOutput, to: STDOUT_FILENO)
            writeAll(result.standardError, to: STDERR_FILENO)
            // _exit: the parent's atexit handlers (libhdf5's among them) are the parent's.
            _exit(result.exitCode)
        }
        close(outputPipe[1]); close(errorPipe[1])
        let deadline = limits.timeoutSeconds.map { now() + Double($0) }
        return .success(Child(index: index, pid: pid, output: outputPipe[0], errors: errorPipe[0], deadline: deadline))
    }

    /// In the child: fatal signals end it at once with 128 + the signal (the Swift runtime's
    /// backtracer would otherwise spend seconds symbolicating into a pipe nobody shows), no
    /// core files, and the address-space limit.
    func prepareChild() {
        for fatal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS] {
            signal(fatal) { _exit(128 + $0) }
        }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        if let bytes = limits.addressSpaceBytes {
            var space = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
            setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &space)
        }
    }

    /// Reads whatever the running children have written, waiting at most until the nearest
    /// deadline; returns the jobs that ended.
    mutating func waitForProgress(_ jobs: [IsolatedJob]) -> [(Int, CommandResult)] {
        var descriptors: [pollfd] = []
        for child in running {
            if child.output >= 0 { descriptors.append(pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)) }
            if child.errors >= 0 { descriptors.append(pollfd(fd: child.errors, events: Int16(POLLIN), revents: 0)) }
        }
        let nearest = running.compactMap(\.deadline).min()
        let timeout = nearest.map { Int32(max(0, min(60_000, ($0 - now()) * 1000 + 1))) } ?? 60_000
        if !descriptors.isEmpty {
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready < 0 && errno != EINTR { return failAll("poll failed: \(String(cString: strerror(errno)))") }
        }
        var ended: [(Int, CommandResult)] = []
        var stillRunning: [Child] = []
        for var child in running {
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == child.output { drain(&child.output, into: &child.outputBytes) }
                if entry.fd == child.errors { drain(&child.errors, into: &child.errorBytes) }
            }
            if child.output < 0 && child.errors < 0 {
                ended.append((child.index, reap(child, paths: jobs[child.index].paths)))
            } else if let deadline = child.deadline, now() >= deadline {
                stop(child)
                let seconds = limits.timeoutSeconds ?? 0
                ended.append((child.index, .failure("\(Self.subject(jobs[child.index].paths)): gave up after \(seconds) s without an answer "
                                                    + "(the reader is stuck: the file is probably damaged); KERASINSPECT_TIMEOUT sets the limit")))
            } else {
                stillRunning.append(child)
            }
        }
        running = stillRunning
        return ended
    }

    /// Ends every running child with `message` as its result; none is left to reap later.
    mutating func failAll(_ message: String) -> [(Int, CommandResult)] {
        let failed = running.map { child in
            stop(child)
            return (child.index, CommandResult.failure(message))
        }
        running = []
        return failed
    }

    /// Kills a child that has not finished, closes its pipes and reaps it.
    func stop(_ child: Child) {
        kill(child.pid, SIGKILL)
        if child.output >= 0 { close(child.output) }
        if child.errors >= 0 { close(child.errors) }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// One read; at end of file the descriptor is closed and set to -1.
    func drain(_ descriptor: inout Int32, into bytes: inout [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 {
            bytes += buffer[..<count]
        } else if count == 0 || errno != EINTR && errno != EAGAIN {
            close(descriptor)
            descriptor = -1
        }
    }

    func reap(_ child: Child, paths: [String]) -> CommandResult {
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        // The wait status, decoded as <sys/wait.h>'s macros do (Swift cannot import them).
        let signalNumber = status & 0x7f
        let exitCode = (status >> 8) & 0xff
        let fatal = signalNumber != 0 ? signalNumber : exitCode > 128 ? exitCode - 128 : 0
        if fatal != 0 {
            return .failure("\(Self.subject(paths)): parsing it crashed (\(Self.signalName(fatal))) and was stopped; "
                            + "the file is probably damaged or hostile (if it loads in Keras, please report a kerasinspect bug)")
        }
        return CommandResult(exitCode: exitCode, standardOutput: String(decoding: child.outputBytes, as: UTF8.self),
                             standardError: String(decoding: child.errorBytes, as: UTF8.self))
    }

    static func subject(_ paths: [String]) -> String {
        paths.isEmpty ? "kerasinspect" : paths.joined(separator: ", ")
    }

    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV, a bad memory access", SIGBUS: "SIGBUS, a bad memory access",
                                      SIGILL: "SIGILL, a failed runtime check", SIGTRAP: "SIGTRAP, a failed runtime check",
                                      SIGFPE: "SIGFPE, an arithmetic fault", SIGABRT: "SIGABRT, an abort",
                                      SIGKILL: "SIGKILL, killed, most likely for memory", SIGSYS: "SIGSYS"]
        return names[number] ?? "signal \(number)"
    }

    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Writes all of `text` to a file descriptor, retrying short writes; false when it cannot
/// (a closed pipe, a full disk).
@discardableResult
public func writeAll(_ text: String, to descriptor: Int32) -> Bool {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return false }
        bytes = bytes.dropFirst(written)
    }
    return true
}
