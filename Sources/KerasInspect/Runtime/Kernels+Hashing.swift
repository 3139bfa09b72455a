/// TensorFlow's string fingerprint, for the Hashing layer (`tf.strings.to_hash_bucket_fast`
/// is `Fingerprint64(s) mod buckets`, and Fingerprint64 is FarmHash's farmhashna::Hash64).
extension Kernels {
    private static let k0: UInt64 = 0xc3a5c85c97cb3127
    private static let k1: UInt64 = 0xb492b66fbe98f273
    private static let k2: UInt64 = 0x9ae16a3b2f90404f

    /// FarmHash Fingerprint64 of `bytes`, for strings of at most 32 bytes (a decimal int64
    /// has at most 20): farmhashna HashLen0to16 and HashLen17to32.
    static func fingerprint64(_ bytes: [UInt8]) -> UInt64? {
        let length = bytes.count
        func fetch64(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            return value
        }
        func fetch32(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<4 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            return value
        }
        func rotate(_ value: UInt64, _ shift: UInt64) -> UInt64 {
            shift == 0 ? value : (value >> shift) | (value << (64 - shift))
        }
        func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value >> 47) }
        func hashLen16(_ u: UInt64, _ v: UInt64, _ mul: UInt64) -> UInt64 {
            var a = (u ^ v) &* mul
            a ^= a >> 47
            var b = (v ^ a) &* mul
            b ^= b >> 47
            return b &* mul
        }
        let mul = k2 &+ UInt64(length) &* 2
        switch length {
        case 0:
            return k2
        case 1..<4:
            let a = UInt32(bytes[0]), b = UInt32(bytes[length >> 1]), c = UInt32(bytes[length - 1])
            let y = a &+ (b << 8), z = UInt32(length) &+ (c << 2)
            return shiftMix((UInt64(y) &* k2) ^ (UInt64(z) &* k0)) &* k2
        case 4..<8:
            return hashLen16(UInt64(length) &+ (fetch32(0) << 3), fetch32(length - 4), mul)
        case 8...16:
            let a = fetch64(0) &+ k2, b = fetch64(length - 8)
            let c = rotate(b, 37) &* mul &+ a
            let d = (rotate(a, 25) &+ b) &* mul
            return hashLen16(c, d, mul)
        case 17...32:
            let a = fetch64(0) &* k1, b = fetch64(8)
            let c = fetch64(length - 8) &* mul, d = fetch64(length - 16) &* k2
            return hashLen16(rotate(a &+ b, 43) &+ rotate(c, 30) &+ d, a &+ rotate(b &+ k2, 18) &+ c, mul)
        default:
            return nil
        }
    }
}
