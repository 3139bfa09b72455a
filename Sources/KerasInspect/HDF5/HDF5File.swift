import CHDF5
import Glibc
import Synchronization

/// An HDF5 file opened read-only, from disk or from bytes in memory. Groups and datasets keep
/// their file open; libhdf5 closes it when the last of them goes away.
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
    ///
    /// Throws `.fileNotFound` when nothing is at `path`, `.unreadable` for a directory, a
    /// non-regular file or missing permission, and `.hdf5` ("not an HDF5 file, or a truncated or
    /// damaged one", with libhdf5's reason) when libhdf5 cannot open it.
    public convenience init(path: String) throws {
        try Self.checkRegularReadableFile(path)
        try self.init(path: path, accessList: Self.diskAccessList)
    }

    /// Opens `path` read-only through `accessList` (tests pass one with libhdf5's logging driver).
    init(path: String, accessList: hid_t) throws {
        HDF5Errors.silence()
        self.path = path
        handle = HDF5Handle(H5Fopen(path, ki_h5f_acc_rdonly(), accessList))
        guard handle.id >= 0 else {
            throw HDF5Errors.error(summary: "not an HDF5 file, or a truncated or damaged one", file: path)
        }
    }

    /// File locking off: a read-only open still takes a shared lock, which fails while another
    /// program (a training run writing checkpoints) holds the file, and on file systems without
    /// locks. We never write, so the lock protects nothing of ours.
    private static let diskAccessList: hid_t = {
        HDF5Errors.silence()
        let list = H5Pcreate(ki_h5p_file_access())
        if list >= 0, H5Pset_file_locking(list, false, true) < 0 { HDF5Errors.discard() }
        return list
    }()

    /// libhdf5 opens a FIFO like any file and then blocks forever waiting for a writer, so only
    /// regular files get that far.
    private static func checkRegularReadableFile(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw KerasInspectError(.fileNotFound, file: path, "no such file") }
            throw KerasInspectError(.unreadable, file: path, "cannot examine the file (\(String(cString: strerror(code))))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw KerasInspectError(.unreadable, file: path, "a directory, not an HDF5 file")
        default: throw KerasInspectError(.unreadable, file: path, "not a regular file")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw KerasInspectError(.unreadable, file: path, "cannot open the file for reading (\(String(cString: strerror(errno))))")
        }
        close(descriptor)
    }

    /// Numbers the names under which in-memory images are opened.
    private static let imageCount = Atomic<Int>(0)

    /// Opens an HDF5 image held in memory (a `.keras` archive's `model.weights.h5`) without
    /// writing it to disk; `name` is used in error messages. libhdf5 keeps its own copy.
    public init(image: [UInt8], name: String) throws {
        HDF5Errors.silence()
        path = name
        guard !image.isEmpty else {
            throw KerasInspectError(.hdf5, file: name, "not an HDF5 file, or a truncated or damaged one (the image is empty)")
        }
        let accessList = HDF5Handle(H5Pcreate(ki_h5p_file_access()))
        guard accessList.id >= 0, H5Pset_fapl_core(accessList.id, 1 << 16, false) >= 0 else {
            throw HDF5Errors.error(summary: "cannot select libhdf5's in-memory driver", file: name)
        }
        let loaded = image.withUnsafeBytes { bytes in
            H5Pset_file_image(accessList.id, UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
        guard loaded >= 0 else { throw HDF5Errors.error(summary: "cannot hand the image to libhdf5", file: name) }
        // The name libhdf5 sees is not `name`, for two reasons found by trying:
        // - libhdf5 recognises an already open in-memory file by its name alone, so a second
        //   image opened under the same name silently shows the first image's contents;
        // - the in-memory driver refuses ("file already exists") when a file of that name exists
        //   on disk, and opens it to find out. Nothing can exist below /dev/null.
        let number = Self.imageCount.wrappingAdd(1, ordering: .relaxed).newValue
        handle = HDF5Handle(H5Fopen("/dev/null/kerasinspect-image-\(number)", ki_h5f_acc_rdonly(), accessList.id))
        guard handle.id >= 0 else {
            throw HDF5Errors.error(summary: "not an HDF5 file, or a truncated or damaged one", file: name)
        }
    }

    /// The root group `/`.
    public var root: HDF5Group {
        get throws { try HDF5Group(file: self, path: "/", openedFrom: handle.id, relativePath: "/") }
    }
}
