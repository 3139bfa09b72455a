/// Recognises a file by its first bytes, never by its name.
enum FileSniffer {
    enum Kind: Equatable {
        case hdf5
        case zip
        case json
        /// Something else; the text says what it looks like.
        case other(String)
    }

    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    static func sniff(path: String) throws -> Kind {
        let head = try LocalFile.read(path, count: 4096)
        if head.starts(with: hdf5Signature) { return .hdf5 }
        // HDF5 allows a user block of 512, 1024, 2048… bytes before the signature.
        var offset = 512
        while offset <= 1 << 20 {
            let probe = try LocalFile.read(path, offset: offset, count: 8)
            if probe.count < 8 { break }
            if probe == hdf5Signature { return .hdf5 }
            offset *= 2
        }
        return classify(head: head)
    }

    static func classify(head: [UInt8]) -> Kind {
        if head.isEmpty { return .other("an empty file") }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        var body = head[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let first = body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "\"") || first == UInt8(ascii: "[") {
            return .json
        }
        let signatures: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
            ([0xFF, 0xD8, 0xFF], "a JPEG image"),
            (Array("GIF8".utf8), "a GIF image"),
            (Array("%PDF".utf8), "a PDF document"),
            ([0x1F, 0x8B], "gzip-compressed data"),
            ([0x7F, 0x45, 0x4C, 0x46], "an ELF executable"),
            ([0x93] + Array("NUMPY".utf8), "a NumPy array (.npy)"),
            ([0x80, 0x02], "a Python pickle"),
            ([0x80, 0x04], "a Python pickle"),
            ([0x80, 0x05], "a Python pickle"),
            (Array("CDF".utf8), "a netCDF file"),
        ]
        for (signature, description) in signatures where head.starts(with: signature) {
            return .other(description)
        }
        let printable = head.prefix(1024).filter { ($0 >= 0x20 && $0 < 0x7F) || [0x09, 0x0A, 0x0D].contains($0) || $0 >= 0x80 }
        if printable.count == min(head.count, 1024) {
            return .other("a text file")
        }
        return .other("binary data")
    }
}
