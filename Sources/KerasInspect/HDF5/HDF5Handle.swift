import CHDF5

/// An open libhdf5 identifier, released when the wrapper goes away. Works for every kind of
/// identifier (file, group, dataset, attribute, type, dataspace, property list).
final class HDF5Handle: @unchecked Sendable {
    let id: hid_t

    init(_ id: hid_t) { self.id = id }

    deinit {
        guard id >= 0 else { return }
        // The last release may run on any thread; a failing close must not print either.
        HDF5Errors.silence()
        if H5Idec_ref(id) < 0 { HDF5Errors.discard() }
    }
}

/// The property lists every open of a group, dataset or link goes through.
///
/// A hostile file can hold links that reach outside it: an external link names another file
/// (any path on this machine, a FIFO that blocks forever) that libhdf5 would open while
/// resolving a path. Keras never writes external links, so these lists refuse to traverse them
/// (`ki_h5p_refuse_external_links` in shim.h). Soft-link loops need nothing extra: libhdf5 stops
/// after 16 nested soft links by default. The lists are created once and live as long as the
/// process.
enum HDF5AccessLists {
    static let link = refusingExternalLinks(ki_h5p_link_access())
    static let group = refusingExternalLinks(ki_h5p_group_access())
    static let dataset = refusingExternalLinks(ki_h5p_dataset_access())

    /// Fails closed: if the list cannot be made, `-1` makes every open through it fail with
    /// libhdf5's "not a property list" instead of silently following external links.
    private static func refusingExternalLinks(_ propertyClass: hid_t) -> hid_t {
        HDF5Errors.silence()
        let list = H5Pcreate(propertyClass)
        guard list >= 0 else {
            HDF5Errors.discard()
            return -1
        }
        guard ki_h5p_refuse_external_links(list) >= 0 else {
            H5Pclose(list)
            HDF5Errors.discard()
            return -1
        }
        return list
    }
}
