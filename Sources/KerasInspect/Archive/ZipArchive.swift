import CZlib

/// A zip archive read from disk by its central directory: the container of Keras 3
/// `.keras` files. Stored and deflated members, ZIP64 sizes and offsets.
///
/// Member names are only used as lookup keys, never as paths on disk. Names with `..` or a
/// leading `/`, encrypted members, and members whose declared sizes are absurd (a zip bomb)
/// are rejected with one clear error.
public struct ZipArchive: Sendable {
    public struct Member: Sendable {
        public var name: String
        public var method: UInt16
        public var flags: UInt16
        public var crc32: UInt32
        public var compressedSize: Int
        public var uncompressedSize: Int
        public var localHeaderOffset: Int
    }

    /// No member we extract may be larger than this (Keras' own guard is 4 GiB and 100×).
    public static let maximumMemberSize = 4 << 30
    /// Deflate cannot compress better than about 1032:1; a larger claimed ratio is a bomb.
    public static let maximumCompressionRatio = 1100
    static let maximumCentralDirectorySize = 64 << 20

    public let path: String
    public let fileSize: Int
    public private(set) var members: [Member] = []

    /// Reads the central directory. `validating: false` lists members without refusing unsafe
    /// ones (the scanner reports them); their data is never read that way.
    public init(path: String, validating: Bool = true) throws {
        self.path = path
        guard case .regular(let size) = LocalFile.kind(of: path) else {
            throw KerasInspectError(.unreadable, file: path, "cannot read the file")
        }
        fileSize = size
        let (directoryOffset, directorySize, count) = try locateCentralDirectory()
        let directory = try LocalFile.read(path, offset: directoryOffset, count: directorySize)
        guard directory.count == directorySize else { throw corrupt("the central directory is truncated") }
        var cursor = 0
        for _ in 0..<count {
            let member = try parseCentralEntry(directory, at: &cursor)
            if validating { try validate(member) }
            members.append(member)
        }
    }

    public func member(named name: String) -> Member? { members.first { $0.name == name } }

    private func corrupt(_ message: String) -> KerasInspectError {
        KerasInspectError(.unreadable, file: path, "corrupt zip archive: \(message)")
    }

    // MARK: Directory

    /// The end-of-central-directory record sits in the last 64 KiB + 22 bytes; ZIP64
    /// archives add a locator and a larger record before it.
    private func locateCentralDirectory() throws -> (offset: Int, size: Int, count: Int) {
        let tailLength = min(fileSize, 65_557)
        let tail = try LocalFile.read(path, offset: fileSize - tailLength, count: tailLength)
        var position = tail.count - 22
        while position >= 0 {
            if tail.readUInt32(at: position) == 0x0605_4B50 { break }
            position -= 1
        }
        guard position >= 0 else { throw corrupt("no end-of-central-directory record (truncated?)") }
        var count = Int(tail.readUInt16(at: position + 10))
        var size = Int(tail.readUInt32(at: position + 12))
        var offset = Int(tail.readUInt32(at: position + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            let locator = position - 20
            guard locator >= 0, tail.readUInt32(at: locator) == 0x0706_4B50 else { throw corrupt("missing ZIP64 locator") }
            let recordOffset = Int(clamping: tail.readUInt64(at: locator + 8))
            let record = try LocalFile.read(path, offset: recordOffset, count: 56)
            guard record.count == 56, record.readUInt32(at: 0) == 0x0606_4B50 else { throw corrupt("bad ZIP64 end record") }
            count = Int(clamping: record.readUInt64(at: 32))
            size = Int(clamping: record.readUInt64(at: 40))
            offset = Int(clamping: record.readUInt64(at: 48))
        }
        guard size <= Self.maximumCentralDirectorySize, offset >= 0, offset <= fileSize - size, count <= size / 46 + 1 else {
            throw corrupt("central directory out of bounds")
        }
        return (offset, size, count)
    }

    private func parseCentralEntry(_ data: [UInt8], at cursor: inout Int) throws -> Member {
        guard cursor + 46 <= data.count, data.readUInt32(at: cursor) == 0x0201_4B50 else {
            throw corrupt("bad central directory entry")
        }
        let flags = data.readUInt16(at: cursor + 8)
        let method = data.readUInt16(at: cursor + 10)
        let crc = data.readUInt32(at: cursor + 16)
        var compressed = UInt64(data.readUInt32(at: cursor + 20))
        var uncompressed = UInt64(data.readUInt32(at: cursor + 24))
        let nameLength = Int(data.readUInt16(at: cursor + 28))
        let extraLength = Int(data.readUInt16(at: cursor + 30))
        let commentLength = Int(data.readUInt16(at: cursor + 32))
        var localOffset = UInt64(data.readUInt32(at: cursor + 42))
        let nameStart = cursor + 46
        let extraStart = nameStart + nameLength
        let end = extraStart + extraLength + commentLength
        guard end <= data.count else { throw corrupt("central directory entry overruns the directory") }
        let name = String(decoding: data[nameStart..<extraStart], as: UTF8.self)
        // ZIP64 extra field: the 64-bit values of the fields that read 0xFFFFFFFF, in order.
        var extra = extraStart
        while extra + 4 <= extraStart + extraLength {
            let tag = data.readUInt16(at: extra)
            let length = Int(data.readUInt16(at: extra + 2))
            var field = extra + 4
            if tag == 0x0001 {
                if uncompressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { uncompressed = data.readUInt64(at: field); field += 8 }
                if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { compressed = data.readUInt64(at: field); field += 8 }
                if localOffset == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { localOffset = data.readUInt64(at: field) }
            }
            extra += 4 + length
        }
        cursor = end
        return Member(name: name, method: method, flags: flags, crc32: crc,
                      compressedSize: Int(clamping: compressed), uncompressedSize: Int(clamping: uncompressed),
                      localHeaderOffset: Int(clamping: localOffset))
    }

    private func validate(_ member: Member) throws {
        let components = member.name.split(separator: "/", omittingEmptySubsequences: false)
        if member.name.hasPrefix("/") || member.name.hasPrefix("\\") || components.contains("..") || member.name.contains("\\..") {
            throw KerasInspectError(.unreadable, file: path, "unsafe member name '\(member.name)' in zip archive (path traversal)")
        }
        if member.flags & 1 != 0 {
            throw KerasInspectError(.unreadable, file: path, "zip member '\(member.name)' is encrypted")
        }
        if member.uncompressedSize > Self.maximumMemberSize {
            throw KerasInspectError(.limitExceeded, file: path,
                "zip member '\(member.name)' declares \(member.uncompressedSize) bytes uncompressed (too large)")
        }
        if member.method == 8, member.uncompressedSize > (1 << 20),
           member.uncompressedSize / max(1, member.compressedSize) > Self.maximumCompressionRatio {
            throw KerasInspectError(.limitExceeded, file: path,
                "zip member '\(member.name)' claims a \(member.uncompressedSize / max(1, member.compressedSize)):1 compression ratio (zip bomb)")
        }
        guard member.localHeaderOffset < fileSize, member.compressedSize <= fileSize else {
            throw corrupt("member '\(member.name)' lies outside the file (truncated?)")
        }
    }

    // MARK: Data

    /// The member's bytes, inflated if needed and checked against its CRC-32.
    public func data(of member: Member) throws -> [UInt8] {
        let header = try LocalFile.read(path, offset: member.localHeaderOffset, count: 30)
        guard header.count == 30, header.readUInt32(at: 0) == 0x0403_4B50 else {
            throw corrupt("bad local header for '\(member.name)'")
        }
        let start = member.localHeaderOffset + 30 + Int(header.readUInt16(at: 26)) + Int(header.readUInt16(at: 28))
        guard start + member.compressedSize <= fileSize else { throw corrupt("member '\(member.name)' is truncated") }
        let raw = try LocalFile.read(path, offset: start, count: member.compressedSize)
        let bytes: [UInt8]
        switch member.method {
        case 0:
            guard raw.count == member.uncompressedSize else { throw corrupt("stored member '\(member.name)' has the wrong size") }
            bytes = raw
        case 8:
            bytes = try inflate(raw, expectedSize: member.uncompressedSize, name: member.name)
        default:
            throw KerasInspectError(.unreadable, file: path, "zip member '\(member.name)' uses unsupported compression method \(member.method)")
        }
        let checksum = bytes.withUnsafeBufferPointer { buffer -> UInt32 in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
        guard checksum == member.crc32 else { throw corrupt("CRC mismatch in '\(member.name)'") }
        return bytes
    }

    /// Raw DEFLATE into a buffer of the declared size; more output than declared is an error.
    private func inflate(_ input: [UInt8], expectedSize: Int, name: String) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize + 1)
        var stream = z_stream()
        guard ki_inflate_init_raw(&stream) == Z_OK else { throw corrupt("cannot start inflating '\(name)'") }
        defer { inflateEnd(&stream) }
        var input = input
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expectedSize else {
            throw corrupt("member '\(name)' does not inflate to its declared size")
        }
        output.removeLast()
        return output
    }
}

extension Array where Element == UInt8 {
    func readUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    func readUInt32(at offset: Int) -> UInt32 {
        UInt32(readUInt16(at: offset)) | UInt32(readUInt16(at: offset + 2)) << 16
    }

    func readUInt64(at offset: Int) -> UInt64 {
        UInt64(readUInt32(at: offset)) | UInt64(readUInt32(at: offset + 4)) << 32
    }
}
