import CHDF5

/// libhdf5's error machinery, turned into silence plus `KerasInspectError`s.
///
/// libhdf5 prints a diagnostic trace to stderr on every failure unless told not to. Debian's
/// build is thread-safe, which makes both that printing switch and the error stack per-thread:
/// silencing the main thread leaves every other thread printing. So every entry point of this
/// layer calls `silence()` first, and every failure is read off the stack by `error(...)` on the
/// same thread, with no suspension point in between, then cleared.
enum HDF5Errors {
    static func silence() {
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    }

    /// Forgets a failure that the caller answers itself (an absent link, an unknown kind).
    static func discard() {
        H5Eclear2(hid_t(H5E_DEFAULT))
    }

    /// What libhdf5 said about the last failure on this thread, as an error naming the file and
    /// the HDF5 path ("reading the data failed at HDF5 path /d (HDF5: …)"); clears the stack.
    static func error(_ operation: String, file: String, path: String) -> KerasInspectError {
        error(summary: "\(operation) failed at HDF5 path \(path)", file: file)
    }

    /// Like `error(_:file:path:)` for failures that concern the whole file.
    static func error(summary: String, file: String) -> KerasInspectError {
        let said = stackMessages()
        discard()
        var text = summary
        if !said.isEmpty { text += " (HDF5: " + said.joined(separator: "; ") + ")" }
        return KerasInspectError(.hdf5, file: file, text)
    }

    private final class MessageCollector {
        var messages: [String] = []
    }

    /// The stack's descriptions, each with its minor message ("Object not found"), innermost
    /// last and without repeats. Only the innermost few are kept: they say what was actually
    /// wrong, while the outer ones repeat "unable to open file" on every level.
    private static func stackMessages() -> [String] {
        let collector = MessageCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, { _, entry, context in
            guard let entry, let context else { return 0 }
            let collector = Unmanaged<MessageCollector>.fromOpaque(context).takeUnretainedValue()
            var text = entry.pointee.desc.map { HDF5Errors.cleaned(String(cString: $0)) } ?? ""
            var buffer = [CChar](repeating: 0, count: 256)
            let length = H5Eget_msg(entry.pointee.min_num, nil, &buffer, buffer.count)
            if length > 0 {
                let minor = String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) },
                                   as: UTF8.self)
                if !minor.isEmpty, minor.lowercased() != text.lowercased() {
                    text += text.isEmpty ? minor : " [\(minor)]"
                }
            }
            if !text.isEmpty, !collector.messages.contains(text) { collector.messages.append(text) }
            return 0
        }, context)
        return Array(collector.messages.suffix(3))
    }

    /// H5F_open's description carries the wall-clock time and the flags
    /// ("unable to open file: time = Sun Nov 22 …\n, name = '…', tent_flags = 0"); keep the
    /// part before it so messages are stable and fit on one line.
    static func cleaned(_ description: String) -> String {
        var text = description
        if let cut = text.firstRange(of: ": time = ") { text = String(text[..<cut.lowerBound]) }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
