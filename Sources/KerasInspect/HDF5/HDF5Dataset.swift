import CHDF5
import Glibc

/// An open dataset. Opening it reads only metadata (dataspace and type); the array itself is
/// read on request by `readFloats()`.
///
/// ```swift
/// let kernel = try file.root.dataset("model_weights/dense/dense/kernel:0")
/// print(kernel.shape, kernel.dtype)   // [784, 10] float32
/// let values = try kernel.readFloats()
/// ```
public final class HDF5Dataset: @unchecked Sendable {
    /// A declared shape with more elements than this is refused on opening: no real tensor is
    /// that large, and the bound keeps sums over many arrays far from overflowing `Int`.
    public static let maximumDeclaredElementCount = 1 << 40
    /// `readFloats()` refuses arrays with more elements than this (8 GiB of Float).
    public static let maximumReadElementCount = 1 << 31

    /// The file, kept open while the dataset is in use.
    public let file: HDF5File
    /// Absolute HDF5 path, e.g. `/model_weights/dense/dense/kernel:0`.
    public let path: String
    /// Dimensions from the dataspace; `[]` for a scalar.
    public let shape: [Int]
    /// numpy-style element type: `float16`, `float32`, `float64`, `int8`…`int64`,
    /// `uint8`…`uint64`, `bool`, `string`, `bfloat16` (Keras 3 stores it as 2-byte opaque data
    /// with a `dtype` attribute), another declared name for other opaque data that has one,
    /// else `opaque`, `enum`, `compound`, … Big-endian data has the same name as little-endian.
    public let dtype: String
    let handle: HDF5Handle

    /// Where the values live, read from the creation properties without touching them.
    public enum Storage: Sendable, Equatable {
        case inFile, virtual, externalFiles, unknown
    }

    public var storage: Storage {
        HDF5Errors.silence()
        switch ki_h5d_storage_kind(handle.id) {
        case 0: return .inFile
        case 1: return .virtual
        case 2: return .externalFiles
        default:
            HDF5Errors.discard()
            return .unknown
        }
    }
    private let isNumeric: Bool

    init(file: HDF5File, path: String, openedFrom parent: hid_t, relativePath: String) throws {
        HDF5Errors.silence()
        self.file = file
        self.path = path
        handle = HDF5Handle(H5Dopen2(parent, relativePath, HDF5AccessLists.dataset))
        guard handle.id >= 0 else { throw HDF5Errors.error("opening the dataset", file: file.path, path: path) }
        shape = try Self.readShape(handle.id, file: file.path, path: path)
        let type = HDF5Handle(H5Dget_type(handle.id))
        guard type.id >= 0 else { throw HDF5Errors.error("reading the element type", file: file.path, path: path) }
        isNumeric = HDF5Types.isNumeric(type.id)
        dtype = Self.describe(type.id, dataset: handle.id, file: file.path, path: path)
    }

    /// The number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Dimensions validated so that their product is a sane `Int`: libhdf5 keeps them as
    /// unsigned 64-bit numbers that a hostile file can set to anything.
    private static func readShape(_ dataset: hid_t, file: String, path: String) throws -> [Int] {
        let space = HDF5Handle(H5Dget_space(dataset))
        guard space.id >= 0 else { throw HDF5Errors.error("reading the dataspace", file: file, path: path) }
        guard H5Sget_simple_extent_type(space.id) != H5S_NULL else {
            throw KerasInspectError(.hdf5, file: file, "dataset at HDF5 path \(path) has a null dataspace: no shape, no data")
        }
        let rank = H5Sget_simple_extent_ndims(space.id)
        guard rank >= 0 else { throw HDF5Errors.error("reading the dataspace", file: file, path: path) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0, H5Sget_simple_extent_dims(space.id, &dims, nil) < 0 {
            throw HDF5Errors.error("reading the dimensions", file: file, path: path)
        }
        var product = 1
        for dim in dims {
            let (next, overflow) = product.multipliedReportingOverflow(by: Int(clamping: dim))
            guard !overflow, next <= maximumDeclaredElementCount else {
                throw KerasInspectError(.limitExceeded, file: file,
                    "dataset at HDF5 path \(path) declares shape \(dims), more than 2^40 elements")
            }
            product = next
        }
        return dims.map { Int($0) }
    }

    /// Keras 3 writes bfloat16 as 2-byte OPAQUE data plus a `dtype` attribute; the attribute is
    /// believed only when the size agrees, because `readFloats` trusts it for the buffer size.
    private static func describe(_ type: hid_t, dataset: hid_t, file: String, path: String) -> String {
        let name = HDF5Types.numpyName(type)
        guard name == "opaque" else { return name }
        var budget = 1 << 10
        let declared = (try? HDF5Attribute.strings("dtype", on: dataset, file: file, path: path, budget: &budget))??.first
        guard let declared, !declared.isEmpty else { return name }
        if declared == "bfloat16" { return H5Tget_size(type) == 2 ? declared : name }
        return declared
    }

    /// A dataset attribute as a string (scalar, or the first element); `nil` when absent.
    public func stringAttribute(_ name: String) throws -> String? {
        var budget = HDF5Attribute.maximumTextBytes
        return try HDF5Attribute.strings(name, on: handle.id, file: file.path, path: path, budget: &budget)?.first
    }

    /// The whole array as Float, in row-major order. libhdf5 converts float16, float64, integers,
    /// booleans and big-endian data; bfloat16 is read raw and widened (a bfloat16 is the high
    /// half of a float32). Arrays above `maximumReadElementCount` elements, or larger than this
    /// machine's memory, throw `.limitExceeded` before anything is allocated.
    public func readFloats() throws -> [Float] {
        HDF5Errors.silence()
        let count = elementCount
        try checkReadable(count)
        if dtype == "bfloat16" {
            var raw = [UInt16](repeating: 0, count: count)
            let type = HDF5Handle(H5Dget_type(handle.id))
            guard type.id >= 0, H5Dread(handle.id, type.id, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), &raw) >= 0 else {
                throw HDF5Errors.error("reading the data", file: file.path, path: path)
            }
            return raw.map { Float(bitPattern: UInt32(UInt16(littleEndian: $0)) << 16) }
        }
        guard isNumeric else {
            throw KerasInspectError(.hdf5, file: file.path, "dataset at HDF5 path \(path) holds \(dtype) data, which libhdf5 cannot convert to numbers")
        }
        var values = [Float](repeating: 0, count: count)
        guard H5Dread(handle.id, ki_h5t_native_float(), H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), &values) >= 0 else {
            throw HDF5Errors.error("reading the data", file: file.path, path: path)
        }
        return values
    }

    /// A hostile file can declare a huge array whose storage was never written; libhdf5 would
    /// then happily fill gigabytes with the fill value.
    private func checkReadable(_ count: Int) throws {
        guard count <= Self.maximumReadElementCount else {
            throw KerasInspectError(.limitExceeded, file: file.path,
                "dataset at HDF5 path \(path) has \(count) elements, more than 2^31")
        }
        let bytes = count * MemoryLayout<Float>.size
        let memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) &* Int(sysconf(Int32(_SC_PAGESIZE)))
        guard memory <= 0 || bytes <= memory else {
            throw KerasInspectError(.limitExceeded, file: file.path,
                "dataset at HDF5 path \(path) needs \(bytes >> 20) MB as Float, more than this machine's \(memory >> 20) MB of memory")
        }
    }
}
