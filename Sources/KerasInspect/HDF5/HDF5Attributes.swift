import CHDF5

/// Reading attributes of any HDF5 object, in the string forms Keras files use.
enum HDF5Attributes {
    /// Total bytes of one string attribute we accept; Keras name lists stay far below.
    static let maximumStringBytes = 256 << 20
    static let maximumStringCount = 10_000_000

    static func exists(_ name: String, on object: hid_t) -> Bool {
        HDF5Library.silence()
        let result = H5Aexists(object, name)
        if result < 0 { H5Eclear2(hid_t(H5E_DEFAULT)) }
        return result > 0
    }

    static func names(on object: hid_t, file: String, path: String) throws -> [String] {
        HDF5Library.silence()
        var info = H5O_info_t()
        guard H5Oget_info1(object, &info) >= 0 else {
            throw HDF5Library.failure("listing attributes", file: file, path: path)
        }
        var names: [String] = []
        for index in 0..<info.num_attrs {
            let length = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT))
            guard length >= 0 else { throw HDF5Library.failure("reading an attribute name", file: file, path: path) }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, hid_t(H5P_DEFAULT))
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    private static func open(_ name: String, on object: hid_t, file: String, path: String) throws -> HDF5Handle? {
        guard exists(name, on: object) else { return nil }
        let id = H5Aopen(object, name, hid_t(H5P_DEFAULT))
        guard id >= 0 else { throw HDF5Library.failure("opening attribute '\(name)'", file: file, path: path) }
        return HDF5Handle(id)
    }

    static func strings(_ name: String, on object: hid_t, file: String, path: String) throws -> [String]? {
        guard let attribute = try open(name, on: object, file: file, path: path) else { return nil }
        let where_ = "\(path) attribute '\(name)'"
        let type = HDF5Handle(H5Aget_type(attribute.id))
        let space = HDF5Handle(H5Aget_space(attribute.id))
        guard type.id >= 0, space.id >= 0 else { throw HDF5Library.failure("inspecting the attribute", file: file, path: where_) }
        let count = Int(H5Sget_simple_extent_npoints(space.id))
        guard count >= 0 else { throw HDF5Library.failure("sizing the attribute", file: file, path: where_) }
        if count == 0 { return [] }
        guard H5Tget_class(type.id) == H5T_STRING else {
            throw KerasInspectError(.hdf5, file: file, "\(where_) is not a string attribute")
        }
        guard count <= maximumStringCount else {
            throw KerasInspectError(.limitExceeded, file: file, "\(where_) holds \(count) strings")
        }
        if H5Tis_variable_str(type.id) > 0 {
            return try variableLengthStrings(attribute: attribute.id, fileType: type.id, space: space.id,
                                             count: count, file: file, path: where_)
        }
        return try fixedLengthStrings(attribute: attribute.id, fileType: type.id, count: count, file: file, path: where_)
    }

    /// The memory type copies the file type, character set included: libhdf5 refuses to
    /// convert between ASCII and UTF-8 variable-length strings.
    private static func variableLengthStrings(attribute: hid_t, fileType: hid_t, space: hid_t, count: Int,
                                              file: String, path: String) throws -> [String] {
        let memoryType = HDF5Handle(H5Tcopy(fileType))
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        guard H5Aread(attribute, memoryType.id, &pointers) >= 0 else {
            throw HDF5Library.failure("reading the strings", file: file, path: path)
        }
        defer { H5Dvlen_reclaim(memoryType.id, space, hid_t(H5P_DEFAULT), &pointers) }
        var total = 0
        return try pointers.map { pointer in
            guard let pointer else { return "" }
            let text = String(cString: pointer)
            total += text.utf8.count
            guard total <= maximumStringBytes else {
                throw KerasInspectError(.limitExceeded, file: file, "\(path) holds more than \(maximumStringBytes) bytes of text")
            }
            return text
        }
    }

    /// Fixed-length strings are read with the file type itself and cut at the first NUL
    /// (NULLPAD strings may fill their slot without one); SPACEPAD loses its trailing spaces.
    private static func fixedLengthStrings(attribute: hid_t, fileType: hid_t, count: Int,
                                           file: String, path: String) throws -> [String] {
        let size = H5Tget_size(fileType)
        guard size > 0 else { return Array(repeating: "", count: count) }
        let (total, overflow) = size.multipliedReportingOverflow(by: count)
        guard !overflow, total <= maximumStringBytes else {
            throw KerasInspectError(.limitExceeded, file: file, "\(path) declares \(count) strings of \(size) bytes")
        }
        var buffer = [UInt8](repeating: 0, count: total)
        guard H5Aread(attribute, fileType, &buffer) >= 0 else {
            throw HDF5Library.failure("reading the strings", file: file, path: path)
        }
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var slot = buffer[(index * size)..<((index + 1) * size)]
            if let end = slot.firstIndex(of: 0) { slot = slot[..<end] }
            if spacePadded { while slot.last == 0x20 { slot = slot.dropLast() } }
            return String(decoding: slot, as: UTF8.self)
        }
    }

    static func integer(_ name: String, on object: hid_t, file: String, path: String) throws -> Int? {
        guard let attribute = try open(name, on: object, file: file, path: path) else { return nil }
        let type = HDF5Handle(H5Aget_type(attribute.id))
        let space = HDF5Handle(H5Aget_space(attribute.id))
        guard H5Tget_class(type.id) == H5T_INTEGER, H5Sget_simple_extent_npoints(space.id) == 1 else {
            throw KerasInspectError(.hdf5, file: file, "\(path) attribute '\(name)' is not an integer")
        }
        var value: Int64 = 0
        guard H5Aread(attribute.id, ki_h5t_native_int64(), &value) >= 0 else {
            throw HDF5Library.failure("reading attribute '\(name)'", file: file, path: path)
        }
        return Int(value)
    }
}
