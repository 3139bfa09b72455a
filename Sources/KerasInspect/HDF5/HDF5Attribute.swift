import CHDF5
import Glibc

/// Reading the attributes of any HDF5 object (group or dataset), in the forms Keras files use.
enum HDF5Attribute {
    /// Bytes of text read for one request (one attribute, or all chunks of a split list).
    /// Keras name lists stay far below; a hostile file could declare gigabytes.
    static let maximumTextBytes = 256 << 20
    /// Strings in one attribute; each costs a pointer before any text is seen.
    static let maximumStringCount = 16 << 20

    /// Whether the attribute exists; a libhdf5 failure counts as absent.
    static func exists(_ name: String, on object: hid_t) -> Bool {
        HDF5Errors.silence()
        let result = H5Aexists(object, name)
        if result < 0 { HDF5Errors.discard() }
        return result > 0
    }

    private final class NameCollector {
        var names: [String] = []
    }

    /// Attribute names in name order. `H5Aiterate2` works the same on every libhdf5 version,
    /// unlike `H5Oget_info*` whose numbered variants changed between 1.10 and 1.12.
    static func names(on object: hid_t, file: String, path: String) throws -> [String] {
        HDF5Errors.silence()
        let collector = NameCollector()
        var position: hsize_t = 0
        let status = H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &position, { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<NameCollector>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        guard status >= 0 else { throw HDF5Errors.error("listing the attributes", file: file, path: path) }
        return collector.names
    }

    /// An open attribute with its file type and dataspace.
    private struct Opened {
        let attribute: HDF5Handle
        let type: HDF5Handle
        let space: HDF5Handle
        let count: Int
    }

    private static func open(_ name: String, on object: hid_t, file: String, path: String) throws -> Opened? {
        HDF5Errors.silence()
        let present = H5Aexists(object, name)
        guard present >= 0 else { throw HDF5Errors.error("looking up attribute '\(name)'", file: file, path: path) }
        guard present > 0 else { return nil }
        let attribute = HDF5Handle(H5Aopen(object, name, hid_t(H5P_DEFAULT)))
        guard attribute.id >= 0 else { throw HDF5Errors.error("opening attribute '\(name)'", file: file, path: path) }
        let type = HDF5Handle(H5Aget_type(attribute.id))
        let space = HDF5Handle(H5Aget_space(attribute.id))
        guard type.id >= 0, space.id >= 0 else {
            throw HDF5Errors.error("reading the type of attribute '\(name)'", file: file, path: path)
        }
        let count = H5Sget_simple_extent_npoints(space.id)
        guard count >= 0 else { throw HDF5Errors.error("sizing attribute '\(name)'", file: file, path: path) }
        return Opened(attribute: attribute, type: type, space: space, count: Int(count))
    }

    /// All strings of a string attribute, flattened (scalar → one element); `nil` when absent.
    /// A zero-length attribute of any type is `[]`: Keras writes an empty `weight_names` list
    /// as a float64 array of shape (0,). `budget` is the text still allowed in this request.
    static func strings(_ name: String, on object: hid_t, file: String, path: String,
                        budget: inout Int) throws -> [String]? {
        guard let opened = try open(name, on: object, file: file, path: path) else { return nil }
        if opened.count == 0 { return [] }
        guard H5Tget_class(opened.type.id) == H5T_STRING else {
            throw KerasInspectError(.hdf5, file: file,
                "attribute '\(name)' at HDF5 path \(path) holds \(HDF5Types.numpyName(opened.type.id)) values, not text")
        }
        guard opened.count <= maximumStringCount else {
            throw KerasInspectError(.limitExceeded, file: file,
                "attribute '\(name)' at HDF5 path \(path) declares \(opened.count) strings")
        }
        let context = Context(name: name, file: file, path: path)
        if H5Tis_variable_str(opened.type.id) > 0 {
            return try variableLengthStrings(opened, context, budget: &budget)
        }
        return try fixedLengthStrings(opened, context, budget: &budget)
    }

    private struct Context {
        let name: String
        let file: String
        let path: String

        func tooLarge(_ bytes: Int) -> KerasInspectError {
            KerasInspectError(.limitExceeded, file: file,
                "attribute '\(name)' at HDF5 path \(path) holds \(bytes) bytes of text, more than \(maximumTextBytes >> 20) MB")
        }
    }

    /// The memory type is a copy of the file type, character set included: libhdf5 refuses to
    /// convert variable-length strings between ASCII and UTF-8, so a memory type built from
    /// `H5T_C_S1` fails on the UTF-8 attributes h5py 3 writes for Python `str`.
    private static func variableLengthStrings(_ opened: Opened, _ context: Context, budget: inout Int) throws -> [String] {
        let memoryType = HDF5Handle(H5Tcopy(opened.type.id))
        guard memoryType.id >= 0 else {
            throw HDF5Errors.error("reading attribute '\(context.name)'", file: context.file, path: context.path)
        }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: opened.count)
        // libhdf5 allocated every string; give them back even when the read failed half-way
        // (untouched slots are still nil, which the reclaim skips).
        defer { _ = H5Dvlen_reclaim(memoryType.id, opened.space.id, hid_t(H5P_DEFAULT), &pointers) }
        guard H5Aread(opened.attribute.id, memoryType.id, &pointers) >= 0 else {
            throw HDF5Errors.error("reading attribute '\(context.name)'", file: context.file, path: context.path)
        }
        let lengths = pointers.map { pointer in pointer.map { strlen($0) } ?? 0 }
        let total = lengths.reduce(0, +)
        guard total <= budget else { throw context.tooLarge(total) }
        budget -= total
        return zip(pointers, lengths).map { pointer, length in
            guard let pointer else { return "" }
            // Decoded as UTF-8 whatever the declared set: Keras writes only ASCII and UTF-8, and
            // invalid bytes become U+FFFD instead of failing.
            return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
    }

    /// Fixed-length strings are read with the file type itself and cut at the first NUL
    /// (NULLPAD strings may fill their slot with no terminator at all); SPACEPAD strings also
    /// lose their trailing spaces.
    private static func fixedLengthStrings(_ opened: Opened, _ context: Context, budget: inout Int) throws -> [String] {
        let size = H5Tget_size(opened.type.id)
        guard size > 0 else { return Array(repeating: "", count: opened.count) }
        let (total, overflow) = size.multipliedReportingOverflow(by: opened.count)
        guard !overflow, total <= budget else { throw context.tooLarge(overflow ? Int.max : total) }
        budget -= total
        var buffer = [UInt8](repeating: 0, count: total)
        guard H5Aread(opened.attribute.id, opened.type.id, &buffer) >= 0 else {
            throw HDF5Errors.error("reading attribute '\(context.name)'", file: context.file, path: context.path)
        }
        let spacePadded = H5Tget_strpad(opened.type.id) == H5T_STR_SPACEPAD
        return (0..<opened.count).map { index in
            var slot = buffer[(index * size)..<((index + 1) * size)]
            if let end = slot.firstIndex(of: 0) { slot = slot[..<end] }
            if spacePadded {
                while slot.last == 0x20 { slot = slot.dropLast() }
            }
            return String(decoding: slot, as: UTF8.self)
        }
    }

    /// A single integer (scalar or one-element array), converted by libhdf5 from any
    /// integer width or byte order; `nil` when absent.
    static func integer(_ name: String, on object: hid_t, file: String, path: String) throws -> Int? {
        guard let opened = try open(name, on: object, file: file, path: path) else { return nil }
        guard H5Tget_class(opened.type.id) == H5T_INTEGER, opened.count == 1 else {
            let what = opened.count == 1 ? "a \(HDF5Types.numpyName(opened.type.id)) value" : "\(opened.count) values"
            throw KerasInspectError(.hdf5, file: file,
                "attribute '\(name)' at HDF5 path \(path) holds \(what), not one integer")
        }
        var value: Int64 = 0
        guard H5Aread(opened.attribute.id, ki_h5t_native_int64(), &value) >= 0 else {
            throw HDF5Errors.error("reading attribute '\(name)'", file: file, path: path)
        }
        return Int(value)
    }
}
