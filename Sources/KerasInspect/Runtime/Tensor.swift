/// A dense Float32 array in row-major (C) order, batch dimension first: the values that flow
/// between layers when a model runs.
///
/// Integer inputs (token ids for Embedding) are carried as Float too; every id below 2^24 is exact.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
    /// Keras' mask for sequence inputs: one flag per (batch, timestep), `true` where the step
    /// is real. Set by Embedding(mask_zero=True) and Masking; read by recurrent layers.
    public var mask: [Bool]?

    public init(shape: [Int], values: [Float], mask: [Bool]? = nil) {
        precondition(shape.reduce(1, *) == values.count, "tensor shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.values = values
        self.mask = mask
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var rank: Int { shape.count }
    public var count: Int { values.count }
    /// The first dimension (the batch of a layer's input or output).
    public var batch: Int { shape.first ?? 1 }
    /// The last dimension (features or channels, channels_last).
    public var lastDimension: Int { shape.last ?? 1 }

    /// The same values under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.reduce(1, *) == values.count else {
            throw RuntimeError("cannot view \(shape) (\(values.count) values) as \(newShape)")
        }
        return Tensor(shape: newShape, values: values, mask: mask)
    }

    /// The same tensor with `transform` applied to every value.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = self
        result.values.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = transform(buffer[index]) }
        }
        return result
    }
}

/// Why a model could not be run: a layer without a forward pass, inputs that do not fit.
public struct RuntimeError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
