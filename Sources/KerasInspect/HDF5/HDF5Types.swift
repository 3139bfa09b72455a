import CHDF5

/// numpy-style names for HDF5 element types, as h5py would map them back.
enum HDF5Types {
    /// `float16/32/64`, `int8…int64`, `uint8…uint64`, `bool` (h5py's FALSE/TRUE enum), `string`,
    /// `opaque`, `enum`, `compound`, … Byte order is not part of the name: big-endian float32
    /// is still `float32`, because libhdf5 converts it on reading.
    static func numpyName(_ type: hid_t) -> String {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return "float\(size * 8)"
        case H5T_INTEGER:
            return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(size * 8)"
        case H5T_ENUM:
            return isBoolean(type) ? "bool" : "enum"
        case H5T_STRING: return "string"
        case H5T_OPAQUE: return "opaque"
        case H5T_COMPOUND: return "compound"
        case H5T_ARRAY: return "array"
        case H5T_VLEN: return "vlen"
        case H5T_BITFIELD: return "bitfield"
        case H5T_REFERENCE: return "reference"
        case H5T_TIME: return "time"
        default: return "unknown"
        }
    }

    /// h5py stores numpy `bool` as an 8-bit enum with exactly the members FALSE=0 and TRUE=1.
    private static func isBoolean(_ type: hid_t) -> Bool {
        guard H5Tget_size(type) == 1, H5Tget_nmembers(type) == 2 else { return false }
        return memberName(type, 0) == "FALSE" && memberName(type, 1) == "TRUE"
    }

    private static func memberName(_ type: hid_t, _ index: UInt32) -> String? {
        guard let name = H5Tget_member_name(type, index) else {
            HDF5Errors.discard()
            return nil
        }
        defer { H5free_memory(name) }
        return String(cString: name)
    }

    /// Whether libhdf5 can convert this class to `float` on reading.
    static func isNumeric(_ type: hid_t) -> Bool {
        [H5T_FLOAT, H5T_INTEGER, H5T_ENUM].contains(H5Tget_class(type))
    }
}
