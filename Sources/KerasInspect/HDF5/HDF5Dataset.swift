import CHDF5

/// An open dataset: shape and element type come from its metadata, data only on request.
public final class HDF5Dataset: @unchecked Sendable {
    /// More elements than this in one array is treated as hostile (16 GiB of float32).
    public static let maximumElementCount = 1 << 32

    public let file: HDF5File
    public let path: String
    /// Dimensions; `[]` for a scalar.
    public let shape: [Int]
    /// numpy-style name: `float32`, `float16`, `float64`, `int64`, `uint8`, `bool`,
    /// `bfloat16` (Keras 3 stores it as 2-byte opaque data with a `dtype` attribute), …
    public let dtype: String
    let handle: HDF5Handle

    init(file: HDF5File, path: String, openedFrom parent: hid_t, relativePath: String) throws {
        HDF5Library.silence()
        self.file = file
        self.path = path
        let id = H5Dopen2(parent, relativePath, hid_t(H5P_DEFAULT))
        guard id >= 0 else { throw HDF5Library.failure("opening the dataset", file: file.path, path: path) }
        handle = HDF5Handle(id)
        shape = try Self.readShape(id, file: file.path, path: path)
        dtype = Self.describeType(id)
    }

    public var elementCount: Int { shape.reduce(1, *) }

    private static func readShape(_ dataset: hid_t, file: String, path: String) throws -> [Int] {
        let space = HDF5Handle(H5Dget_space(dataset))
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard space.id >= 0, rank >= 0, rank <= 32 else {
            throw HDF5Library.failure("reading the dataspace", file: file, path: path)
        }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space.id, &dims, nil) }
        var product = 1
        for dim in dims {
            let (next, overflow) = product.multipliedReportingOverflow(by: Int(clamping: dim))
            guard !overflow, dim <= UInt64(Int.max), next <= maximumElementCount else {
                throw KerasInspectError(.limitExceeded, file: file, "dataset \(path) declares an absurd shape \(dims)")
            }
            product = next
        }
        return dims.map { Int($0) }
    }

    private static func describeType(_ dataset: hid_t) -> String {
        let type = HDF5Handle(H5Dget_type(dataset))
        let size = H5Tget_size(type.id)
        switch H5Tget_class(type.id) {
        case H5T_FLOAT:
            return ["float16", "float32", "float64"][[2: 0, 4: 1, 8: 2][size] ?? 1]
        case H5T_INTEGER:
            let prefix = H5Tget_sign(type.id) == H5T_SGN_NONE ? "uint" : "int"
            return prefix + String(size * 8)
        case H5T_ENUM:
            return "bool"
        case H5T_OPAQUE:
            if let declared = (try? HDF5Attributes.strings("dtype", on: dataset, file: "", path: ""))??.first {
                return declared
            }
            return "opaque\(size * 8)"
        case H5T_STRING:
            return "string"
        default:
            return "unknown"
        }
    }

    /// A dataset attribute as a string (Keras 3 writes `dtype` on bfloat16 arrays).
    public func stringAttribute(_ name: String) throws -> String? {
        try HDF5Attributes.strings(name, on: handle.id, file: file.path, path: path)?.first
    }

    /// The whole array as Float. libhdf5 converts float16, float64, integers and big-endian
    /// data; bfloat16 is read raw and widened (its bits are the high half of a float32).
    public func readFloats() throws -> [Float] {
        HDF5Library.silence()
        let count = elementCount
        if dtype == "bfloat16" {
            var raw = [UInt16](repeating: 0, count: count)
            let type = HDF5Handle(H5Dget_type(handle.id))
            guard H5Dread(handle.id, type.id, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), &raw) >= 0 else {
                throw HDF5Library.failure("reading the data", file: file.path, path: path)
            }
            return raw.map { Float(bitPattern: UInt32($0) << 16) }
        }
        guard dtype.hasPrefix("float") || dtype.hasPrefix("int") || dtype.hasPrefix("uint") || dtype == "bool" else {
            throw KerasInspectError(.hdf5, file: file.path, "dataset \(path) holds \(dtype) data, not numbers")
        }
        var values = [Float](repeating: 0, count: count)
        guard H5Dread(handle.id, ki_h5t_native_float(), H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), &values) >= 0 else {
            throw HDF5Library.failure("reading the data", file: file.path, path: path)
        }
        return values
    }
}
