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
