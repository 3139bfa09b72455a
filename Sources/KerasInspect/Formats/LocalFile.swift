import Glibc

/// The few file-system calls the readers need, straight from the C library.
///
/// Foundation would bring ICU, libcurl and dozens of other shared libraries into every run;
/// loading them cost more than reading a 100 MB model's metadata.
enum LocalFile {
    enum Kind: Equatable {
        case missing
        case directory
        case regular(size: Int)
        case other
    }

    static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular(size: Int(status.st_size))
        default: return .other
        }
    }

    /// Names of the entries of a folder (no `.` and `..`), at most `limit` of them; `nil`
    /// when it cannot be listed.
    static func entries(of folder: String, limit: Int = 4096) -> [String]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Up to `count` bytes starting at `offset` (fewer at the end of the file).
    static func read(_ path: String, offset: Int = 0, count: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw KerasInspectError(.unreadable, file: path, "cannot open the file for reading (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                throw KerasInspectError(.unreadable, file: path, "read error (\(String(cString: strerror(errno))))")
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

// MARK: Writing

extension LocalFile {
    /// An open file being written by `writeReplacing`.
    struct Writer {
        fileprivate let descriptor: Int32
        let path: String

        func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }

        func write(_ raw: UnsafeRawBufferPointer) throws {
            var written = 0
            while written < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + written, min(raw.count - written, 1 << 30))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    throw KerasInspectError(.unreadable, file: path, "write error (\(String(cString: strerror(errno))))")
                }
                written += count
            }
        }
    }

    /// Creates or replaces the file at `path` with what `body` writes. The bytes go to a
    /// temporary file beside it, renamed over `path` only when complete: a failure leaves any
    /// existing file untouched and no partial file behind.
    static func writeReplacing(_ path: String, _ body: (Writer) throws -> Void) throws {
        if kind(of: path) == .directory {
            throw KerasInspectError(.unreadable, file: path, "cannot write the file: it is a directory")
        }
        let temporary = path + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw KerasInspectError(.unreadable, file: path, "cannot create the file (\(String(cString: strerror(errno))))")
        }
        var closed = false
        do {
            try body(Writer(descriptor: descriptor, path: path))
            closed = true
            guard close(descriptor) == 0 else {
                throw KerasInspectError(.unreadable, file: path, "write error (\(String(cString: strerror(errno))))")
            }
            guard rename(temporary, path) == 0 else {
                throw KerasInspectError(.unreadable, file: path, "cannot replace the file (\(String(cString: strerror(errno))))")
            }
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }
}
