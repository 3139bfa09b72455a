import CHDF5

/// Process-wide handling of libhdf5's error machinery.
///
/// libhdf5 prints a diagnostic trace to stderr on every failure unless told not to, and
/// Debian's build is thread-safe, which makes both the printing switch and the error stack
/// per-thread. Every entry point therefore calls `silence()` before touching the library,
/// and every failure is turned into a `KerasInspectError` by `failure(...)` on the same thread.
enum HDF5Library {
    static func silence() {
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    }

    /// Collects what libhdf5 said about the last failure on this thread, then clears it.
    static func failure(_ operation: String, file: String, path: String) -> KerasInspectError {
        let messages = currentErrorMessages()
        H5Eclear2(hid_t(H5E_DEFAULT))
        var text = "\(operation) failed at HDF5 path \(path)"
        if !messages.isEmpty { text += ": " + messages.joined(separator: "; ") }
        return KerasInspectError(.hdf5, file: file, text)
    }

    private final class MessageCollector {
        var messages: [String] = []
    }

    /// The error stack, outermost first, as "what failed (why)" texts without repeats.
    private static func currentErrorMessages() -> [String] {
        let collector = MessageCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, { _, description, context in
            guard let description, let context else { return 0 }
            let collector = Unmanaged<MessageCollector>.fromOpaque(context).takeUnretainedValue()
            var text = description.pointee.desc.map { String(cString: $0) } ?? ""
            var buffer = [CChar](repeating: 0, count: 256)
            let length = H5Eget_msg(description.pointee.min_num, nil, &buffer, buffer.count)
            if length > 0 {
                let minor = String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !minor.isEmpty { text += text.isEmpty ? minor : " (\(minor))" }
            }
            if !text.isEmpty, !collector.messages.contains(text) { collector.messages.append(text) }
            return 0
        }, context)
        // The innermost entries say what was actually wrong; keep the trace short.
        return Array(collector.messages.suffix(3))
    }
}

/// An open libhdf5 identifier, released when the wrapper goes away.
final class HDF5Handle: @unchecked Sendable {
    let id: hid_t

    init(_ id: hid_t) { self.id = id }

    deinit {
        if id >= 0 { H5Idec_ref(id) }
    }
}
