import CHDF5

/// An HDF5 file opened read-only, from disk or from bytes in memory.
///
/// ```swift
/// let file = try HDF5File(path: "model.h5")
/// let config = try file.root.stringAttribute("model_config")
/// ```
public final class HDF5File: @unchecked Sendable {
    /// The path used in error messages (for in-memory images, the name given).
    public let path: String
    let handle: HDF5Handle

    /// Opens a file on disk without ever writing to it.
    public init(path: String) throws {
        HDF5Library.silence()
        self.path = path
        let id = H5Fopen(path, ki_h5f_acc_rdonly(), hid_t(H5P_DEFAULT))
        guard id >= 0 else {
            var error = HDF5Library.failure("opening the file", file: path, path: "/")
            error.message = "not a readable HDF5 file (truncated or corrupt?): " + error.message
            throw error
        }
        handle = HDF5Handle(id)
    }

    /// Opens an HDF5 image held in memory (a `.keras` archive's `model.weights.h5`)
    /// without writing it to disk. libhdf5 copies the bytes.
    public init(image: [UInt8], name: String) throws {
        HDF5Library.silence()
        self.path = name
        let accessList = H5Pcreate(ki_h5p_file_access())
        guard accessList >= 0 else { throw HDF5Library.failure("creating a file-access list", file: name, path: "/") }
        defer { H5Pclose(accessList) }
        guard H5Pset_fapl_core(accessList, 1 << 16, false) >= 0 else {
            throw HDF5Library.failure("selecting the in-memory driver", file: name, path: "/")
        }
        let status = image.withUnsafeBytes { bytes in
            H5Pset_file_image(accessList, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
        guard status >= 0 else { throw HDF5Library.failure("loading the file image", file: name, path: "/") }
        let id = H5Fopen(name, ki_h5f_acc_rdonly(), accessList)
        guard id >= 0 else {
            var error = HDF5Library.failure("opening the file image", file: name, path: "/")
            error.message = "not a readable HDF5 image (truncated or corrupt?): " + error.message
            throw error
        }
        handle = HDF5Handle(id)
    }

    /// The root group `/`.
    public var root: HDF5Group {
        get throws { try HDF5Group(file: self, path: "/", openedFrom: handle.id, relativePath: "/") }
    }
}
