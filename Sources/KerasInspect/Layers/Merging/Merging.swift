/// `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`: element-wise over inputs
/// whose shapes broadcast together (aligned from the right; a shorter input gains axes
/// after the batch axis). No weights.
///
/// The generations disagree on unknown dimensions, and summaries must show each one's own
/// answer. Keras 3 computes the shape from the shapes alone (`Merge.compute_output_shape`):
/// an unknown dimension on either side stays unknown, and the batch is the one known batch
/// size if there is exactly one. tf-keras (and Keras 1/2 on TensorFlow) traces the
/// operation, so TensorFlow's broadcasting applies: an unknown dimension takes the other
/// side's known size unless that size is 1.
public struct ElementwiseMergeLayer: LayerKind {
    public static let classNames = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]

    /// `Subtract` takes exactly two inputs.
    let exactInputCount: Int?
    let keras3Shapes: Bool
    /// The class name, or Keras 1 Merge's mode under its Keras 2 name.
    let operation: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        exactInputCount = config.className == "Subtract" ? 2 : nil
        keras3Shapes = config.isKeras3
        let modes = ["sum": "Add", "mul": "Multiply", "ave": "Average", "max": "Maximum"]
        operation = config.className == "Merge" ? modes[config.string("mode", default: "sum")] ?? "Add" : config.className
    }

    /// Element by element, inputs broadcast against each other; Average sums, then divides.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        // Inputs of lower rank gain axes of 1 right after the batch axis (Keras'
        // `expand_dims(x, axis=1)` in Merge.call), then broadcast as NumPy does.
        let rank = inputs.map(\.rank).max() ?? 0
        let inputs = try inputs.map { input -> Tensor in
            guard input.rank < rank else { return input }
            guard input.rank >= 1 else { throw RuntimeError("inputs need a batch axis") }
            var shape = input.shape
            shape.insert(contentsOf: Array(repeating: 1, count: rank - input.rank), at: 1)
            return try input.reshaped(shape)
        }
        guard var result = inputs.first else { throw RuntimeError("needs at least one input") }
        if inputs.allSatisfy({ $0.shape == result.shape }) {
            // Equal shapes (residual additions): one pass per input, no broadcast indices.
            result.values.withUnsafeMutableBufferPointer { out in
                for next in inputs.dropFirst() {
                    next.values.withUnsafeBufferPointer { x in
                        switch operation {
                        case "Subtract": for i in out.indices { out[i] -= x[i] }
                        case "Multiply": for i in out.indices { out[i] *= x[i] }
                        case "Maximum": for i in out.indices { out[i] = max(out[i], x[i]) }
                        case "Minimum": for i in out.indices { out[i] = min(out[i], x[i]) }
                        default: for i in out.indices { out[i] += x[i] }
                        }
                    }
                }
            }
        } else {
            result = try broadcastMerge(inputs)
        }
        if operation == "Average" {
            let scale = 1 / Float(inputs.count)
            result.values.withUnsafeMutableBufferPointer { out in
                for i in out.indices { out[i] *= scale }
            }
        }
        // Keras ANDs the masks the inputs carry (Merge.compute_mask).
        let masks = inputs.compactMap(\.mask)
        result.mask = masks.first.map { first in
            masks.dropFirst().reduce(first) { combined, next in
                combined.count == next.count ? zip(combined, next).map { $0 && $1 } : combined
            }
        }
        return [result]
    }

    /// The inputs combined pairwise with NumPy broadcasting.
    private func broadcastMerge(_ inputs: [Tensor]) throws -> Tensor {
        var result = inputs[0]
        for next in inputs.dropFirst() {
            switch operation {
            case "Subtract": result = try Kernels.broadcast(result, next, -)
            case "Multiply": result = try Kernels.broadcast(result, next, *)
            case "Maximum": result = try Kernels.broadcast(result, next) { max($0, $1) }
            case "Minimum": result = try Kernels.broadcast(result, next) { min($0, $1) }
            default: result = try Kernels.broadcast(result, next, +)
            }
        }
        return result
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard let first = inputs.first else { throw LayerConfigError("needs at least one input") }
        if let exactInputCount, inputs.count != exactInputCount {
            throw LayerConfigError("needs exactly \(exactInputCount) inputs, got \(inputs.count)")
        }
        guard inputs.allSatisfy({ $0.rank >= 1 }) else { throw LayerConfigError("inputs need a batch axis") }
        if keras3Shapes {
            var features = first.withoutBatch
            for shape in inputs.dropFirst() {
                features = try Self.broadcast(features, shape.withoutBatch, unknownWins: true)
            }
            let batchSizes = Set(inputs.compactMap { $0.dims[0] })
            return [TensorShape([batchSizes.count == 1 ? batchSizes.first : nil] + features)]
        }
        var result = first.dims
        for shape in inputs.dropFirst() {
            result = try Self.broadcast(result, shape.dims, unknownWins: false)
        }
        return [TensorShape(result)]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    /// Right-aligned broadcasting of two shapes. With `unknownWins` (Keras 3) an unknown
    /// dimension on either side gives an unknown one; otherwise (TensorFlow) a known size
    /// other than 1 is kept.
    static func broadcast(_ a: [Int?], _ b: [Int?], unknownWins: Bool) throws -> [Int?] {
        let (long, short) = a.count >= b.count ? (a, b) : (b, a)
        let offset = long.count - short.count
        var dims = Array(long.prefix(offset))
        for (x, y) in zip(long.dropFirst(offset), short) {
            switch (x, y) {
            case let (x?, y?):
                guard x == y || x == 1 || y == 1 else {
                    throw LayerConfigError("shapes \(TensorShape(a)) and \(TensorShape(b)) do not broadcast")
                }
                dims.append(x == 1 ? y : x)
            case let (known?, nil), let (nil, known?):
                dims.append(unknownWins || known == 1 ? nil : known)
            case (nil, nil):
                dims.append(nil)
            }
        }
        return dims
    }
}

/// `Concatenate`: joins inputs along `axis`; the other axes must agree. No weights.
///
/// The joined axis is the sum of the inputs' sizes (unknown if any is). For the other
/// axes Keras 3 copies the first input's dimensions (`Concatenate.compute_output_shape`),
/// unknown ones included, while tf-keras gets TensorFlow's answer, which fills an unknown
/// dimension from any input that knows it.
public struct ConcatenateLayer: LayerKind {
    public static let classNames = ["Concatenate"]

    public let axis: Int
    let keras3Shapes: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axis = try config.int("axis", "concat_axis", default: -1)
        keras3Shapes = config.isKeras3
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard var result = inputs.first else { throw LayerConfigError("needs at least one input") }
        guard let resolved = result.normalizedAxis(axis) else {
            throw LayerConfigError("axis \(axis) cannot join inputs of shape \(result)")
        }
        for shape in inputs.dropFirst() {
            guard shape.rank == result.rank else {
                throw LayerConfigError("inputs of ranks \(result.rank) and \(shape.rank) cannot be concatenated")
            }
            for index in 0..<shape.rank where index != resolved {
                // Keras 3 lets a size-1 axis through its build-time check; TensorFlow does not.
                if let x = result[index], let y = shape[index], x != y, !(keras3Shapes && (x == 1 || y == 1)) {
                    throw LayerConfigError("shapes \(result) and \(shape) differ outside axis \(axis)")
                }
                if !keras3Shapes, result[index] == nil { result[index] = shape[index] }
            }
            if let sum = result[resolved], let width = shape[resolved] {
                result[resolved] = sum + width
            } else {
                result[resolved] = nil
            }
        }
        return [result]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    /// Blocks of each input, one after the other, for every position before the axis.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard let first = inputs.first else { throw RuntimeError("needs at least one input") }
        let rank = first.rank
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved > 0, resolved < rank, inputs.allSatisfy({ $0.rank == rank }) else {
            throw RuntimeError("axis \(axis) cannot join inputs of shapes \(inputs.map(\.shape))")
        }
        let outer = first.shape[..<resolved].reduce(1, *)
        let blocks = inputs.map { $0.shape[resolved...].reduce(1, *) }
        var values = [Float]()
        values.reserveCapacity(inputs.reduce(0) { $0 + $1.count })
        for row in 0..<outer {
            for (input, block) in zip(inputs, blocks) {
                values.append(contentsOf: input.values[(row * block)..<((row + 1) * block)])
            }
        }
        var shape = first.shape
        shape[resolved] = inputs.reduce(0) { $0 + $1.shape[resolved] }
        // A mask survives only when every input carries the same one (Keras ANDs masks).
        let mask = inputs.allSatisfy({ $0.mask != nil }) ? first.mask : nil
        return [Tensor(shape: shape, values: values, mask: resolved == 1 ? nil : mask)]
    }
}

/// `Dot`: the dot product of two inputs along `axes` (one per input), optionally of
/// L2-normalised inputs (cosine similarity). The output is the first input without its
/// summed axis followed by the second without its batch and summed axes, at least
/// `(batch, 1)`. No weights.
public struct DotLayer: LayerKind {
    public static let classNames = ["Dot"]

    public let axes: [Int]
    let normalize: Bool
    /// Keras 3 normalises with `x · min(1/‖x‖, 1e7)` (ops.normalize, epsilon 1e-7), tf-keras
    /// with `x / √max(Σx², 1e-12)` (tf.linalg.l2_normalize); they differ only near zero.
    let keras3: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        normalize = config.bool("normalize", default: false)
        keras3 = config.isKeras3
        axes = try config.axes("axes", "dot_axes", default: [-1])
        guard axes.count == 1 || axes.count == 2 else {
            throw LayerConfigError("axes must be one axis or a pair, got \(axes)")
        }
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard inputs.count == 2 else { throw LayerConfigError("needs exactly two inputs, got \(inputs.count)") }
        guard inputs[0].rank >= 2, inputs[1].rank >= 2 else {
            throw LayerConfigError("needs inputs with a batch axis and a feature axis, got \(inputs[0]) and \(inputs[1])")
        }
        let pair = axes.count == 1 ? [axes[0], axes[0]] : axes
        guard let a = inputs[0].normalizedAxis(pair[0]), let b = inputs[1].normalizedAxis(pair[1]) else {
            throw LayerConfigError("axes \(axes) do not fit \(inputs[0]) and \(inputs[1])")
        }
        if let x = inputs[0][a], let y = inputs[1][b], x != y {
            throw LayerConfigError("cannot take a dot product of axis \(a) of \(inputs[0]) (\(x)) with axis \(b) of \(inputs[1]) (\(y))")
        }
        var first = inputs[0].dims
        var second = inputs[1].dims
        first.remove(at: a)
        second.remove(at: b)
        second.removeFirst()
        var output = first + second
        if output.count == 1 { output.append(1) }
        return [TensorShape(output)]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    /// Per sample, the product summed over one axis of each input (`batch_dot`); with
    /// `normalize` both are first scaled to unit L2 norm along those axes (cosine similarity).
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw RuntimeError("needs exactly two inputs") }
        let pair = axes.count == 1 ? [axes[0], axes[0]] : axes
        var x = inputs[0], y = inputs[1]
        let a = pair[0] < 0 ? pair[0] + x.rank : pair[0], b = pair[1] < 0 ? pair[1] + y.rank : pair[1]
        guard a > 0, a < x.rank, b > 0, b < y.rank, x.shape[a] == y.shape[b] else {
            throw RuntimeError("axes \(axes) do not fit \(x.shape) and \(y.shape)")
        }
        if normalize {
            x = Self.l2Normalized(x, axis: a, keras3: keras3)
            y = Self.l2Normalized(y, axis: b, keras3: keras3)
        }
        // x → (batch, rest, k), y → (batch, k, rest): one small product per sample.
        let xm = Kernels.moveAxis(x, from: a, to: x.rank - 1), ym = Kernels.moveAxis(y, from: b, to: 1)
        let depth = x.shape[a]
        let rows = xm.count / max(x.batch * depth, 1), columns = ym.count / max(y.batch * depth, 1)
        var output = [Float](repeating: 0, count: x.batch * rows * columns)
        for sample in 0..<x.batch {
            let product = BLAS.multiply(Array(xm.values[(sample * rows * depth)..<((sample + 1) * rows * depth)]),
                                        Array(ym.values[(sample * depth * columns)..<((sample + 1) * depth * columns)]),
                                        m: rows, n: columns, k: depth)
            output.replaceSubrange((sample * rows * columns)..<((sample + 1) * rows * columns), with: product)
        }
        var shape = [x.batch] + Array(xm.shape.dropFirst().dropLast()) + Array(ym.shape.dropFirst(2))
        if shape.count == 1 { shape.append(1) }
        return [Tensor(shape: shape, values: output)]
    }

    /// x scaled to unit L2 norm along `axis`: `x · min(1/√Σx², 1/ε)` in Keras 3 (ops.normalize,
    /// with its `epsilon`), `x / √max(Σx², 1e-12)` in tf-keras (tf.linalg.l2_normalize).
    static func l2Normalized(_ tensor: Tensor, axis: Int, keras3: Bool, epsilon: Float = 1e-7) -> Tensor {
        let moved = Kernels.moveAxis(tensor, from: axis, to: tensor.rank - 1)
        let width = moved.lastDimension
        var values = moved.values
        var start = 0
        while start < values.count {
            var sum: Float = 0
            for i in 0..<width { sum += values[start + i] * values[start + i] }
            let scale = keras3 ? min(1 / sum.squareRoot(), 1 / epsilon) : 1 / max(sum, 1e-12).squareRoot()
            for i in 0..<width { values[start + i] *= scale }
            start += width
        }
        return Kernels.moveAxis(Tensor(shape: moved.shape, values: values), from: tensor.rank - 1, to: axis)
    }
}
