/// A weight that a layer's configuration says it must own.
public struct WeightSpec: Hashable, Sendable {
    /// Keras 2/3 variable name within the layer: `kernel`, `bias`, `moving_mean`, …
    public var name: String
    public var shape: [Int]
    /// Whether Keras creates the variable as trainable (before layer `trainable` flags apply).
    public var trainable: Bool
    /// The element type when it is not the layer's variable dtype (Normalization's int64 `count`).
    public var dtype: String?

    public init(_ name: String, _ shape: [Int], trainable: Bool = true, dtype: String? = nil) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        self.dtype = dtype
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// An array as it is stored in a model file: its name and path, shape and element type.
/// Holding only metadata lets summaries and verification skip the weight bytes.
public struct StoredWeight: Hashable, Sendable {
    /// The name Keras recorded (`dense/kernel:0`, `dense_1_W`, `vars/0`).
    public var name: String
    /// Where the array lives inside the file (an HDF5 path).
    public var path: String
    public var shape: [Int]
    /// numpy-style dtype name: `float32`, `float16`, `float64`, `bfloat16`, `int64`, …
    public var dtype: String

    public init(name: String, path: String, shape: [Int], dtype: String) {
        self.name = name
        self.path = path
        self.shape = shape
        self.dtype = dtype
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes of one element of `dtype` (4 when the type is unfamiliar).
    public var bytesPerElement: Int { DType.byteSize(of: dtype) }

    /// The variable's own name: the last path component without TensorFlow's `:0` suffix.
    public var shortName: String {
        var last = name.split(separator: "/").last.map(String.init) ?? name
        if let colon = last.lastIndex(of: ":"), last[last.index(after: colon)...].allSatisfy(\.isNumber) {
            last = String(last[..<colon])
        }
        return last
    }
}

/// Byte sizes of the element types Keras files hold.
public enum DType {
    public static func byteSize(of dtype: String) -> Int {
        switch dtype {
        case "float16", "bfloat16", "int16", "uint16": return 2
        case "float64", "int64", "uint64", "complex64": return 8
        case "int8", "uint8", "bool", "int4", "uint4": return 1
        case "complex128": return 16
        default: return 4
        }
    }
}
