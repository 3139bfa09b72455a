/// A tensor shape as Keras reports it: `nil` stands for an unknown dimension (`None`),
/// which is nearly always the batch size, unknown until data arrives.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Int?]

    public init(_ dims: [Int?]) { self.dims = dims }

    public var rank: Int { dims.count }

    /// Keras' tuple notation: `(None, 10)`, and `(None,)` for rank 1.
    public var description: String {
        let parts = dims.map { $0.map(String.init) ?? "None" }
        if parts.count == 1 { return "(\(parts[0]),)" }
        return "(" + parts.joined(separator: ", ") + ")"
    }

    /// The shape without its leading batch dimension.
    public var withoutBatch: [Int?] { Array(dims.dropFirst()) }

    /// The product of all dimensions when every one is known.
    public var elementCount: Int? {
        var product = 1
        for dim in dims {
            guard let dim else { return nil }
            product *= dim
        }
        return product
    }

    /// The last dimension, where layers such as Dense read their input width.
    public var last: Int?? { dims.last }

    public subscript(axis: Int) -> Int? {
        get { dims[axis] }
        set { dims[axis] = newValue }
    }

    /// Turns a Keras axis (possibly negative) into an index into `dims`.
    public func normalizedAxis(_ axis: Int) -> Int? {
        let resolved = axis < 0 ? dims.count + axis : axis
        return (0..<dims.count).contains(resolved) ? resolved : nil
    }
}
