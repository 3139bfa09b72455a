import CZlib
import Glibc

/// NumPy's `.npy` format (`numpy.lib.format`): the arrays `np.save` writes, and the inputs and
/// outputs of `kerasinspect run`.
///
/// Reading accepts format versions 1.0, 2.0 and 3.0; float16/32/64, signed and unsigned integers
/// of 1 to 8 bytes and bool, in either byte order; C or Fortran order (Fortran-ordered data is
/// transposed into C order, so the tensor always has numpy's shape and row-major values).
/// Everything becomes Float32: float64 and integers beyond 2^24 are rounded to the nearest Float,
/// exactly as `array.astype(np.float32)` does.
///
/// The header is a Python dict literal; it is parsed by a small strict parser for exactly the
/// grammar numpy writes (quoted strings, `True`/`False`, tuples of non-negative ints), never
/// evaluated. Hostile files fail with one `KerasInspectError` line naming the file: headers
/// longer than 64 KiB, header lengths past the end of the file, shapes whose element or byte
/// count overflows, data shorter than the shape needs, object (pickled) and structured arrays.
/// Nothing is allocated for the data before its full length is known to be present.
///
/// Writing produces what `np.save` produces for a float32 C-ordered array: version 1.0 (2.0 only
/// for headers beyond 64 KiB), `'<f4'`, numpy's header text and padding, data starting at a
/// multiple of 64 bytes. A tensor's mask is not stored.
public enum NPY {
    /// Longer headers are refused (numpy's own reader stops at 10,000 bytes by default).
    public static let maximumHeaderLength = 65_536

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// The array in the `.npy` file at `path`.
    public static func read(path: String) throws -> Tensor {
        guard case .regular(let size) = LocalFile.kind(of: path) else {
            if LocalFile.kind(of: path) == .missing {
                throw KerasInspectError(.fileNotFound, file: path, "no such file")
            }
            throw KerasInspectError(.unreadable, file: path, "not a regular file")
        }
        do {
            // The preamble and header first; the data is read only once its length is known to fit.
            let prefix = try LocalFile.read(path, offset: 0, count: min(size, 12 + maximumHeaderLength))
            let header = try Header.parse(prefix, fileSize: size)
            let data = try LocalFile.read(path, offset: header.dataOffset, count: header.byteCount)
            guard data.count == header.byteCount else { throw header.truncated(available: data.count) }
            return data.withUnsafeBytes { header.tensor(from: $0) }
        } catch let failure as NPYFailure {
            throw KerasInspectError(failure.kind, file: path, failure.message)
        }
    }

    /// The array in `.npy` bytes; `name` (a file name) is what errors report.
    public static func decode(_ bytes: [UInt8], name: String) throws -> Tensor {
        do {
            return try decodeOrFail(bytes)
        } catch let failure as NPYFailure {
            throw KerasInspectError(failure.kind, file: name, failure.message)
        }
    }

    static func decodeOrFail(_ bytes: [UInt8]) throws -> Tensor {
        let header = try Header.parse(bytes, fileSize: bytes.count)
        return bytes.withUnsafeBytes { buffer in
            header.tensor(from: UnsafeRawBufferPointer(rebasing: buffer[header.dataOffset..<(header.dataOffset + header.byteCount)]))
        }
    }

    /// `.npy` bytes for the tensor, as `np.save` writes a float32 array of its shape.
    /// The tensor's shape must hold exactly its values (as `Tensor.init` requires).
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        precondition(isConsistent(tensor), "tensor shape \(tensor.shape) does not hold \(tensor.values.count) values")
        var bytes = headerBytes(shape: tensor.shape)
        tensor.values.withUnsafeBytes { appendLittleEndianFloats($0, to: &bytes) }
        return bytes
    }

    /// Writes the tensor as a `.npy` file, replacing `path` only once the file is complete.
    public static func write(_ tensor: Tensor, to path: String) throws {
        guard isConsistent(tensor) else {
            throw KerasInspectError(.invalidConfig, file: path, "cannot write a tensor of shape \(tensor.shape) holding \(tensor.values.count) values")
        }
        try LocalFile.writeReplacing(path) { file in
            try file.write(headerBytes(shape: tensor.shape))
            try writeValues(tensor.values, to: file)
        }
    }

    static func isConsistent(_ tensor: Tensor) -> Bool {
        var product = 1
        for dimension in tensor.shape {
            guard dimension >= 0 else { return false }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return false }
            product = next
        }
        return product == tensor.values.count
    }

    /// Preamble, header dict and padding for a C-ordered `<f4` array, byte for byte numpy's
    /// (`_write_array_header`): keys sorted, `repr` of the shape tuple, room for the first
    /// dimension to grow to 21 digits, then spaces and `\n` up to a multiple of 64 bytes.
    static func headerBytes(shape: [Int]) -> [UInt8] {
        var text = "{'descr': '<f4', 'fortran_order': False, 'shape': \(pythonTuple(shape)), }"
        if let first = shape.first {
            text += String(repeating: " ", count: max(0, 21 - String(first).utf8.count))
        }
        let body = Array(text.utf8)
        var prefixLength = 10  // magic, version, 2-byte length
        var padding = 64 - (prefixLength + body.count + 1) % 64
        if body.count + 1 + padding > 65_535 {
            prefixLength = 12  // version 2.0: 4-byte length
            padding = 64 - (prefixLength + body.count + 1) % 64
        }
        let headerLength = body.count + 1 + padding
        var bytes = magic
        bytes.reserveCapacity(prefixLength + headerLength)
        if prefixLength == 10 {
            bytes += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            bytes += [2, 0]
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((headerLength >> shift) & 0xFF)) }
        }
        bytes += body
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return bytes
    }

    /// Python's `repr` of a tuple of ints: `()`, `(5,)`, `(2, 3)`.
    static func pythonTuple(_ values: [Int]) -> String {
        switch values.count {
        case 0: return "()"
        case 1: return "(\(values[0]),)"
        default: return "(" + values.map(String.init).joined(separator: ", ") + ")"
        }
    }

    static func appendLittleEndianFloats(_ raw: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes += raw
        #if _endian(big)
        for offset in stride(from: start, to: bytes.count, by: 4) {
            bytes.swapAt(offset, offset + 3)
            bytes.swapAt(offset + 1, offset + 2)
        }
        #else
        _ = start
        #endif
    }

    /// The values as little-endian float32, in chunks that keep memory flat.
    static func writeValues(_ values: [Float], to file: LocalFile.Writer) throws {
        #if _endian(big)
        var chunk: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 1 << 16) {
            chunk.removeAll(keepingCapacity: true)
            values[start..<min(values.count, start + (1 << 16))].withUnsafeBytes { appendLittleEndianFloats($0, to: &chunk) }
            try file.write(chunk)
        }
        #else
        try values.withUnsafeBytes { try file.write($0) }
        #endif
    }
}

/// NumPy's `.npz` format: a zip archive of `.npy` members, as `np.savez` (stored) and
/// `np.savez_compressed` (deflated) write it.
public enum NPZ {
    /// Every array in the archive, in archive order, named without the `.npy` suffix
    /// (the keys `np.load(path)` gives). Members that are not `.npy` files are an error.
    public static func read(path: String) throws -> [(name: String, tensor: Tensor)] {
        if LocalFile.kind(of: path) == .missing {
            throw KerasInspectError(.fileNotFound, file: path, "no such file")
        }
        if case .regular = LocalFile.kind(of: path),
           try LocalFile.read(path, offset: 0, count: NPY.magic.count) == NPY.magic {
            throw KerasInspectError(.unrecognizedFormat, file: path, "this is a single-array .npy file, not an .npz archive")
        }
        let archive = try ZipArchive(path: path)
        var arrays: [(name: String, tensor: Tensor)] = []
        for member in archive.members where !member.name.hasSuffix("/") {
            guard member.name.hasSuffix(".npy") else {
                throw KerasInspectError(.unrecognizedFormat, file: path, "member '\(member.name)' is not a .npy array")
            }
            let bytes = try archive.data(of: member)
            do {
                arrays.append((String(member.name.dropLast(4)), try NPY.decodeOrFail(bytes)))
            } catch let failure as NPYFailure {
                throw KerasInspectError(failure.kind, file: path, "member '\(member.name)': \(failure.message)")
            }
        }
        return arrays
    }

    /// Writes an uncompressed `.npz` (what `np.savez` writes): member `<name>.npy` per array, in
    /// the given order, each a float32 `.npy`. Names must be unique, non-empty, and free of
    /// `..` components and a leading `/`. Archives beyond 4 GiB (ZIP64) are refused.
    public static func write(_ arrays: [(name: String, tensor: Tensor)], to path: String) throws {
        var seen = Set<String>()
        for (name, tensor) in arrays {
            let components = name.split(separator: "/", omittingEmptySubsequences: false)
            guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0"),
                  !components.contains(".."), name.utf8.count < 60_000 else {
                throw KerasInspectError(.invalidConfig, file: path, "cannot store an array named '\(name)' in an .npz archive")
            }
            guard seen.insert(name).inserted else {
                throw KerasInspectError(.invalidConfig, file: path, "two arrays are named '\(name)'")
            }
            guard NPY.isConsistent(tensor) else {
                throw KerasInspectError(.invalidConfig, file: path, "array '\(name)' has shape \(tensor.shape) but holds \(tensor.values.count) values")
            }
        }
        guard arrays.count < 0xFFFF else {
            throw KerasInspectError(.limitExceeded, file: path, "\(arrays.count) arrays are more than an .npz without ZIP64 can hold")
        }
        // Sizes and CRCs go into each local header, so they are computed before the member is written.
        var members: [ZipEntry] = []
        var offset = 0
        for (name, tensor) in arrays {
            let header = NPY.headerBytes(shape: tensor.shape)
            let size = header.count + tensor.values.count * 4
            var crc = checksum(header, seed: 0)
            crc = checksumValues(tensor.values, seed: crc)
            let entry = ZipEntry(name: Array((name + ".npy").utf8), crc: crc, size: size, offset: offset)
            offset += entry.localHeader().count + size
            guard offset < 0xFFFF_FFFF else {
                throw KerasInspectError(.limitExceeded, file: path, "the arrays need more than 4 GiB, beyond what this .npz writer supports (no ZIP64)")
            }
            members.append(entry)
        }
        try LocalFile.writeReplacing(path) { file in
            for (entry, (_, tensor)) in zip(members, arrays) {
                try file.write(entry.localHeader())
                try file.write(NPY.headerBytes(shape: tensor.shape))
                try NPY.writeValues(tensor.values, to: file)
            }
            var directory: [UInt8] = []
            for entry in members { directory += entry.centralHeader() }
            var end: [UInt8] = []
            end.appendLE32(0x0605_4B50)
            end.appendLE16(0)  // this disk
            end.appendLE16(0)  // disk with the central directory
            end.appendLE16(UInt16(members.count))
            end.appendLE16(UInt16(members.count))
            end.appendLE32(UInt32(directory.count))
            end.appendLE32(UInt32(offset))
            end.appendLE16(0)  // comment length
            try file.write(directory + end)
        }
    }

    /// One stored member: local and central headers (zip APPNOTE 4.3.7 and 4.3.12), dated
    /// 1980-01-01 00:00 so the same arrays always give the same bytes.
    struct ZipEntry {
        var name: [UInt8]
        var crc: UInt32
        var size: Int
        var offset: Int

        /// Bit 11: the name is UTF-8.
        var flags: UInt16 { name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800 }

        func localHeader() -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendLE32(0x0403_4B50)
            bytes.appendLE16(20)  // version needed to extract: 2.0
            appendCommon(to: &bytes)
            bytes.appendLE16(0)  // extra field length
            bytes += name
            return bytes
        }

        func centralHeader() -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.appendLE32(0x0201_4B50)
            bytes.appendLE16(0x0314)  // made by: Unix, zip 2.0 (so the external attributes are mode bits)
            bytes.appendLE16(20)
            appendCommon(to: &bytes)
            bytes.appendLE16(0)  // extra field length
            bytes.appendLE16(0)  // comment length
            bytes.appendLE16(0)  // disk number
            bytes.appendLE16(0)  // internal attributes
            bytes.appendLE32(0o100644 << 16)  // regular file, rw-r--r--
            bytes.appendLE32(UInt32(offset))
            bytes += name
            return bytes
        }

        private func appendCommon(to bytes: inout [UInt8]) {
            bytes.appendLE16(flags)
            bytes.appendLE16(0)  // method: stored
            bytes.appendLE16(0)  // time 00:00:00
            bytes.appendLE16(0x21)  // date 1980-01-01
            bytes.appendLE32(crc)
            bytes.appendLE32(UInt32(size))  // compressed
            bytes.appendLE32(UInt32(size))  // uncompressed
            bytes.appendLE16(UInt16(name.count))
        }
    }

    static func checksum(_ raw: UnsafeRawBufferPointer, seed: UInt32) -> UInt32 {
        var crc = uLong(seed)
        var start = 0
        while start < raw.count {
            let length = min(raw.count - start, 1 << 30)
            crc = crc32(crc, raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + start, uInt(length))
            start += length
        }
        return UInt32(crc)
    }

    static func checksum(_ bytes: [UInt8], seed: UInt32) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    static func checksumValues(_ values: [Float], seed: UInt32) -> UInt32 {
        #if _endian(big)
        var crc = seed
        for start in stride(from: 0, to: values.count, by: 1 << 16) {
            var chunk: [UInt8] = []
            values[start..<min(values.count, start + (1 << 16))].withUnsafeBytes { NPY.appendLittleEndianFloats($0, to: &chunk) }
            crc = checksum(chunk, seed: crc)
        }
        return crc
        #else
        return values.withUnsafeBytes { checksum($0, seed: seed) }
        #endif
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func appendLE32(_ value: UInt32) {
        appendLE16(UInt16(value & 0xFFFF))
        appendLE16(UInt16(value >> 16))
    }
}

// MARK: - Reading

/// A problem in `.npy` bytes, before it is attributed to a file (or an `.npz` member).
struct NPYFailure: Error {
    var kind: KerasInspectError.Kind
    var message: String

    init(_ kind: KerasInspectError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    init(_ message: String) {
        self.init(.unreadable, message)
    }
}

extension NPY {
    /// An element type from the `descr` string.
    struct DType: Equatable {
        enum Kind { case float, signed, unsigned, bool }
        var kind: Kind
        var size: Int
        var bigEndian: Bool

        static let supported = "float16/32/64, int8/16/32/64, uint8/16/32/64 and bool"

        /// `<f4`, `>i8`, `|u1`, `=f2`, `|b1`: byte order (`<` little, `>` big, `=` native,
        /// `|` not applicable), kind letter, size in bytes.
        init(descr: String) throws {
            var text = Substring(descr)
            var order: Character = "="
            if let first = text.first, "<>=|".contains(first) {
                order = first
                text = text.dropFirst()
            }
            if text.first == "O" {
                throw NPYFailure("object arrays (dtype '\(descr)') are not supported: they hold pickled Python objects")
            }
            let digits = text.dropFirst()
            guard let letter = text.first, !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), let size = Int(digits) else {
                throw NPYFailure("unsupported dtype '\(descr)' (supported: \(Self.supported))")
            }
            switch (letter, size) {
            case ("f", 2), ("f", 4), ("f", 8): kind = .float
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
            case ("b", 1): kind = .bool
            default: throw NPYFailure("unsupported dtype '\(descr)' (supported: \(Self.supported))")
            }
            self.size = size
            #if _endian(big)
            bigEndian = size > 1 && order != "<"
            #else
            bigEndian = size > 1 && order == ">"
            #endif
        }

        /// Element `index` of `raw`, widened (or rounded) to Float.
        @inline(__always)
        func load(_ raw: UnsafeRawBufferPointer, _ index: Int) -> Float {
            let offset = index &* size
            switch (kind, size) {
            case (.float, 2): return NPY.float(fromHalf: load16(raw, offset))
            case (.float, 4): return Float(bitPattern: load32(raw, offset))
            case (.float, 8): return Float(Double(bitPattern: load64(raw, offset)))
            case (.signed, 1): return Float(Int8(bitPattern: raw[offset]))
            case (.signed, 2): return Float(Int16(bitPattern: load16(raw, offset)))
            case (.signed, 4): return Float(Int32(bitPattern: load32(raw, offset)))
            case (.signed, 8): return Float(Int64(bitPattern: load64(raw, offset)))
            case (.unsigned, 1): return Float(raw[offset])
            case (.unsigned, 2): return Float(load16(raw, offset))
            case (.unsigned, 4): return Float(load32(raw, offset))
            case (.unsigned, 8): return Float(load64(raw, offset))
            default: return raw[offset] == 0 ? 0 : 1  // bool: numpy reads any non-zero byte as True
            }
        }

        private func load16(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            return bigEndian ? UInt16(bigEndian: value) : UInt16(littleEndian: value)
        }

        private func load32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
        }

        private func load64(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return bigEndian ? UInt64(bigEndian: value) : UInt64(littleEndian: value)
        }
    }

    /// IEEE 754 binary16 to binary32, exactly (subnormals, infinities and NaN payloads kept).
    static func float(fromHalf half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The parsed preamble and header of a `.npy` file.
    struct Header {
        var dtype: DType
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
        var dataOffset: Int
        var count: Int
        var byteCount: Int

        /// `bytes` starts at the beginning of the file (and holds at least the whole header if
        /// the file does); `fileSize` is the whole file's length.
        static func parse(_ bytes: [UInt8], fileSize: Int) throws -> Header {
            guard bytes.count >= 8, Array(bytes[0..<6]) == NPY.magic else {
                if bytes.count < 8, Array(bytes.prefix(6)) == Array(NPY.magic.prefix(min(6, bytes.count))), !bytes.isEmpty {
                    throw NPYFailure("truncated .npy file: \(fileSize) bytes, shorter than the preamble")
                }
                throw NPYFailure(.unrecognizedFormat, "not a NumPy .npy file (bad magic bytes)")
            }
            let major = bytes[6], minor = bytes[7]
            let lengthSize: Int
            switch (major, minor) {
            case (1, 0): lengthSize = 2
            case (2, 0), (3, 0): lengthSize = 4
            default:
                throw NPYFailure(.unrecognizedFormat, "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are read)")
            }
            guard bytes.count >= 8 + lengthSize else {
                throw NPYFailure("truncated .npy file: \(fileSize) bytes, shorter than the preamble")
            }
            var headerLength = 0
            for index in 0..<lengthSize { headerLength |= Int(bytes[8 + index]) << (8 * index) }
            let headerStart = 8 + lengthSize
            guard headerLength <= NPY.maximumHeaderLength else {
                throw NPYFailure(.limitExceeded, "header length \(headerLength) exceeds the \(NPY.maximumHeaderLength)-byte limit")
            }
            guard headerStart + headerLength <= fileSize, headerStart + headerLength <= bytes.count else {
                throw NPYFailure("header length \(headerLength) runs past the end of the file (\(fileSize) bytes)")
            }
            let text = Array(bytes[headerStart..<(headerStart + headerLength)])
            if major == 3 {
                guard String(validating: text, as: UTF8.self) != nil else {
                    throw NPYFailure("malformed header: not valid UTF-8")
                }
            }
            var parser = HeaderParser(bytes: text, utf8: major == 3)
            let fields = try parser.parseDict()

            let descr = try fields.descr()
            let dtype = try DType(descr: descr)
            let fortranOrder = try fields.fortranOrder()
            let shape = try fields.shape()

            let dataOffset = headerStart + headerLength
            var count = 1
            var overflow = false
            for dimension in shape {
                (count, overflow) = count.multipliedReportingOverflow(by: dimension)
                if overflow { break }
            }
            var byteCount = 0
            if !overflow { (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size) }
            if overflow {
                throw NPYFailure(.limitExceeded, "shape \(NPY.pythonTuple(shape)) has too many elements")
            }
            let header = Header(dtype: dtype, descr: descr, fortranOrder: fortranOrder, shape: shape,
                                dataOffset: dataOffset, count: count, byteCount: byteCount)
            guard byteCount <= fileSize - dataOffset else { throw header.truncated(available: fileSize - dataOffset) }
            return header
        }

        func truncated(available: Int) -> NPYFailure {
            NPYFailure("truncated data: shape \(NPY.pythonTuple(shape)) of '\(descr)' needs \(byteCount) bytes after the header, only \(available) are there")
        }

        /// `data` holds exactly `byteCount` bytes.
        func tensor(from data: UnsafeRawBufferPointer) -> Tensor {
            let dtype = self.dtype
            var values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                #if _endian(little)
                if dtype.kind == .float, dtype.size == 4, !dtype.bigEndian {
                    if count > 0 { memcpy(buffer.baseAddress!, data.baseAddress!, count * 4) }
                    initialized = count
                    return
                }
                #endif
                for index in 0..<count { buffer[index] = dtype.load(data, index) }
                initialized = count
            }
            if fortranOrder && shape.count > 1 && count > 1 { values = NPY.fortranToC(values, shape: shape) }
            return Tensor(shape: shape, values: values)
        }
    }

    /// Column-major values of `shape` rearranged into row-major order.
    static func fortranToC(_ values: [Float], shape: [Int]) -> [Float] {
        let rank = shape.count
        var fortranStrides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        return [Float](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            for target in 0..<values.count {
                buffer[target] = values[source]
                // Next C-order index: the last axis moves fastest.
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    source += fortranStrides[axis]
                    if index[axis] < shape[axis] { break }
                    source -= fortranStrides[axis] * index[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
            initialized = values.count
        }
    }

    /// A value in the header dict.
    enum Literal {
        case string(String)
        case bool(Bool)
        case tuple([Int])

        var typeName: String {
            switch self {
            case .string: return "a string"
            case .bool: return "a bool"
            case .tuple: return "a tuple"
            }
        }
    }

    struct HeaderFields {
        var entries: [String: Literal]

        func value(_ key: String) throws -> Literal {
            guard let value = entries[key] else { throw NPYFailure("malformed header: no '\(key)' key") }
            return value
        }

        func descr() throws -> String {
            guard case .string(let descr) = try value("descr") else {
                throw NPYFailure("malformed header: 'descr' is \(try value("descr").typeName), not a dtype string")
            }
            return descr
        }

        func fortranOrder() throws -> Bool {
            guard case .bool(let flag) = try value("fortran_order") else {
                throw NPYFailure("malformed header: 'fortran_order' is \(try value("fortran_order").typeName), not True or False")
            }
            return flag
        }

        func shape() throws -> [Int] {
            guard case .tuple(let shape) = try value("shape") else {
                throw NPYFailure("malformed header: 'shape' is \(try value("shape").typeName), not a tuple")
            }
            return shape
        }
    }

    /// The Python literal grammar numpy's headers use, and nothing more:
    ///
    ///     header := ws '{' ws [ entry (ws ',' ws entry)* [ws ','] ] ws '}' ws
    ///     entry  := string ws ':' ws value
    ///     value  := string | 'True' | 'False' | tuple
    ///     tuple  := '(' ws ')' | '(' ws int ws ',' ws ')' | '(' ws int (ws ',' ws int)+ [ws ','] ws ')'
    ///     int    := digit+ ['L']          (Python 2 numpy wrote 3L)
    ///     string := '…' | "…"             (no escapes)
    ///     ws     := (' ' | '\t' | '\n' | '\r')*
    ///
    /// The keys must be exactly `descr`, `fortran_order` and `shape`, in any order.
    struct HeaderParser {
        let bytes: [UInt8]
        let utf8: Bool
        var position = 0

        init(bytes: [UInt8], utf8: Bool) {
            self.bytes = bytes
            self.utf8 = utf8
        }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        private func failure(_ expected: String, in context: String) -> NPYFailure {
            guard let byte = current else {
                return NPYFailure("malformed header: unterminated \(context) (expected \(expected) before the end of the header)")
            }
            let shown = (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return NPYFailure("malformed header: expected \(expected) in the \(context) at offset \(position), found \(shown)")
        }

        mutating func parseDict() throws -> HeaderFields {
            skipWhitespace()
            guard current == UInt8(ascii: "{") else { throw failure("'{'", in: "header") }
            position += 1
            var entries: [String: Literal] = [:]
            skipWhitespace()
            while current != UInt8(ascii: "}") {
                guard current == UInt8(ascii: "'") || current == UInt8(ascii: "\"") else {
                    throw failure("a quoted key or '}'", in: "dict")
                }
                let key = try parseString()
                guard ["descr", "fortran_order", "shape"].contains(key) else {
                    throw NPYFailure("malformed header: unexpected key '\(key)' (only 'descr', 'fortran_order' and 'shape' belong there)")
                }
                guard entries[key] == nil else { throw NPYFailure("malformed header: key '\(key)' appears twice") }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw failure("':' after '\(key)'", in: "dict") }
                position += 1
                skipWhitespace()
                entries[key] = try parseValue(key: key)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                } else if current != UInt8(ascii: "}") {
                    throw failure("',' or '}'", in: "dict")
                }
            }
            position += 1
            skipWhitespace()
            guard position == bytes.count else {
                throw NPYFailure("malformed header: unexpected text after the closing '}' at offset \(position)")
            }
            return HeaderFields(entries: entries)
        }

        private mutating func parseValue(key: String) throws -> Literal {
            switch current {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                return .string(try parseString())
            case UInt8(ascii: "("):
                return .tuple(try parseTuple())
            case UInt8(ascii: "T"), UInt8(ascii: "F"):
                for word in ["True", "False"] where bytes[position...].starts(with: word.utf8) {
                    let end = position + word.utf8.count
                    // A word must end there: `Truex` is a name, not a literal.
                    if end < bytes.count, isIdentifierByte(bytes[end]) { break }
                    position = end
                    return .bool(word == "True")
                }
                throw failure("True, False, a string or a tuple for '\(key)'", in: "dict")
            case UInt8(ascii: "["):
                throw NPYFailure("structured (record) arrays are not supported ('\(key)' is a list of fields)")
            default:
                throw failure("a string, True, False or a tuple for '\(key)'", in: "dict")
            }
        }

        private func isIdentifierByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
        }

        private mutating func parseString() throws -> String {
            let quote = bytes[position]
            position += 1
            let start = position
            while let byte = current, byte != quote {
                if byte == UInt8(ascii: "\\") { throw NPYFailure("malformed header: escape sequences in strings are not supported (offset \(position))") }
                if byte == 0x0A { break }
                position += 1
            }
            guard current == quote else { throw NPYFailure("malformed header: unterminated string starting at offset \(start - 1)") }
            let content = bytes[start..<position]
            position += 1
            if utf8 { return String(decoding: content, as: UTF8.self) }
            // Versions 1.0 and 2.0 headers are latin-1: each byte is one code point.
            return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
        }

        private mutating func parseTuple() throws -> [Int] {
            position += 1
            var values: [Int] = []
            var trailingComma = false
            skipWhitespace()
            while current != UInt8(ascii: ")") {
                values.append(try parseInt())
                trailingComma = false
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                    trailingComma = true
                    skipWhitespace()
                } else if current != UInt8(ascii: ")") {
                    throw failure("',' or ')'", in: "shape tuple")
                }
            }
            position += 1
            if values.count == 1 && !trailingComma {
                throw NPYFailure("malformed header: shape (\(values[0])) is a parenthesized int, not a tuple (numpy writes (\(values[0]),))")
            }
            return values
        }

        private mutating func parseInt() throws -> Int {
            if current == UInt8(ascii: "-") {
                throw NPYFailure("malformed header: negative dimension in the shape (offset \(position))")
            }
            let start = position
            var value = 0
            var overflow = false
            while let byte = current, (0x30...0x39).contains(byte) {
                if !overflow {
                    let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = scaled.addingReportingOverflow(Int(byte - 0x30))
                    overflow = o1 || o2
                    value = sum
                }
                position += 1
            }
            guard position > start else { throw failure("a dimension (a non-negative int)", in: "shape tuple") }
            if current == UInt8(ascii: "L") || current == UInt8(ascii: "l") { position += 1 }
            if overflow {
                let digits = String(decoding: bytes[start..<position], as: UTF8.self)
                throw NPYFailure(.limitExceeded, "dimension \(digits) in the shape is too large")
            }
            return value
        }
    }
}
