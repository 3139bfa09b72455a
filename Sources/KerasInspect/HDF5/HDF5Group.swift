import CHDF5

/// What an HDF5 link points at.
public enum HDF5ObjectKind: Sendable {
    case group
    case dataset
}

/// An open HDF5 group: its attributes, its children, and access to the objects below it.
public final class HDF5Group: @unchecked Sendable {
    /// The file, kept open while the group is in use.
    public let file: HDF5File
    /// Absolute HDF5 path, e.g. `/model_weights/dense`.
    public let path: String
    let handle: HDF5Handle

    init(file: HDF5File, path: String, openedFrom parent: hid_t, relativePath: String) throws {
        HDF5Library.silence()
        self.file = file
        self.path = path
        let id = H5Gopen2(parent, relativePath, hid_t(H5P_DEFAULT))
        guard id >= 0 else { throw HDF5Library.failure("opening the group", file: file.path, path: path) }
        handle = HDF5Handle(id)
    }

    func childPath(_ relativePath: String) -> String {
        path == "/" ? "/" + relativePath : path + "/" + relativePath
    }

    // MARK: Children

    /// Names of the links directly in this group, in HDF5's name order.
    public func childNames() throws -> [String] {
        HDF5Library.silence()
        var info = H5G_info_t()
        guard H5Gget_info(handle.id, &info) >= 0 else {
            throw HDF5Library.failure("listing the group", file: file.path, path: path)
        }
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT))
            guard length >= 0 else { throw HDF5Library.failure("reading a link name", file: file.path, path: path) }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, hid_t(H5P_DEFAULT))
            names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// Whether `relativePath` names a group or a dataset below this group; `nil` when nothing
    /// is there. Each component is checked in turn because libhdf5 fails on missing parents.
    public func childKind(_ relativePath: String) -> HDF5ObjectKind? {
        HDF5Library.silence()
        var prefix = ""
        for component in relativePath.split(separator: "/") {
            prefix += prefix.isEmpty ? String(component) : "/" + component
            guard H5Lexists(handle.id, prefix, hid_t(H5P_DEFAULT)) > 0 else {
                H5Eclear2(hid_t(H5E_DEFAULT))
                return nil
            }
        }
        let object = H5Oopen(handle.id, relativePath, hid_t(H5P_DEFAULT))
        guard object >= 0 else {
            H5Eclear2(hid_t(H5E_DEFAULT))
            return nil
        }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return nil
        }
    }

    public func group(_ relativePath: String) throws -> HDF5Group {
        try HDF5Group(file: file, path: childPath(relativePath), openedFrom: handle.id, relativePath: relativePath)
    }

    /// A dataset by path relative to this group. Keras weight names are such paths
    /// (`dense/kernel:0`), so the path is passed to libhdf5 unchanged.
    public func dataset(_ relativePath: String) throws -> HDF5Dataset {
        try HDF5Dataset(file: file, path: childPath(relativePath), openedFrom: handle.id, relativePath: relativePath)
    }

    // MARK: Attributes

    public func hasAttribute(_ name: String) -> Bool {
        HDF5Attributes.exists(name, on: handle.id)
    }

    public func attributeNames() throws -> [String] {
        try HDF5Attributes.names(on: handle.id, file: file.path, path: path)
    }

    /// A string attribute as a list: variable- or fixed-length, scalar or 1-D, ASCII or
    /// UTF-8. A zero-length attribute of any type is an empty list (Keras writes empty
    /// `weight_names` as a float64 array of shape (0,)). `nil` when the attribute is absent.
    public func stringsAttribute(_ name: String) throws -> [String]? {
        try HDF5Attributes.strings(name, on: handle.id, file: file.path, path: path)
    }

    /// A scalar string attribute (or the first element of a list).
    public func stringAttribute(_ name: String) throws -> String? {
        try stringsAttribute(name)?.first
    }

    /// `name`, or — when Keras split a long list to fit HDF5's 64 KB object-header limit —
    /// the concatenation of `name0`, `name1`, … up to the first missing chunk.
    public func chunkedStringsAttribute(_ name: String) throws -> [String]? {
        if let whole = try stringsAttribute(name) { return whole }
        var result: [String] = []
        var chunk = 0
        while let part = try stringsAttribute("\(name)\(chunk)") {
            result += part
            chunk += 1
        }
        return chunk == 0 ? nil : result
    }

    /// An integer attribute (Keras 0.x `nb_layers`), `nil` when absent.
    public func intAttribute(_ name: String) throws -> Int? {
        try HDF5Attributes.integer(name, on: handle.id, file: file.path, path: path)
    }
}
