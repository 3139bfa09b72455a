/// `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`: element-wise over inputs
/// whose shapes broadcast together (aligned from the right). No weights.
public struct ElementwiseMergeLayer: LayerKind {
    public static let classNames = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {}

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard var result = inputs.first else { throw LayerConfigError("needs at least one input") }
        for shape in inputs.dropFirst() {
            result = try Self.broadcast(result, shape)
        }
        return [result]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    static func broadcast(_ a: TensorShape, _ b: TensorShape) throws -> TensorShape {
        let rank = max(a.rank, b.rank)
        var dims: [Int?] = []
        for position in 0..<rank {
            let left: Int?? = position < rank - a.rank ? .some(1) : .some(a.dims[position - (rank - a.rank)])
            let right: Int?? = position < rank - b.rank ? .some(1) : .some(b.dims[position - (rank - b.rank)])
            switch (left!, right!) {
            case let (x?, y?):
                guard x == y || x == 1 || y == 1 else { throw LayerConfigError("shapes \(a) and \(b) do not broadcast") }
                dims.append(x == 1 ? y : x)
            case let (x?, nil): dims.append(x == 1 ? nil : x)
            case let (nil, y?): dims.append(y == 1 ? nil : y)
            case (nil, nil): dims.append(nil)
            }
        }
        return TensorShape(dims)
    }
}

/// `Concatenate`: joins inputs along `axis`; the other axes must agree. No weights.
public struct ConcatenateLayer: LayerKind {
    public static let classNames = ["Concatenate"]

    public let axis: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axis = try config.int("axis", "concat_axis", default: -1)
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard var result = inputs.first else { throw LayerConfigError("needs at least one input") }
        guard let resolved = result.normalizedAxis(axis) else { throw LayerConfigError("axis \(axis) out of range for \(result)") }
        for shape in inputs.dropFirst() {
            guard shape.rank == result.rank else { throw LayerConfigError("inputs of different ranks cannot be concatenated") }
            for index in 0..<shape.rank where index != resolved {
                if result[index] == nil { result[index] = shape[index] }
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
}

/// `Dot`: the dot product of two inputs along `axes` (one per input), optionally of
/// L2-normalised inputs (cosine similarity). No weights.
public struct DotLayer: LayerKind {
    public static let classNames = ["Dot"]

    public let axes: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axes", "dot_axes", default: [-1])
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard inputs.count == 2 else { throw LayerConfigError("needs exactly two inputs") }
        var first = inputs[0].dims
        var second = inputs[1].dims
        let pair = axes.count == 1 ? [axes[0], axes[0]] : axes
        guard pair.count == 2, let a = inputs[0].normalizedAxis(pair[0]), let b = inputs[1].normalizedAxis(pair[1]) else {
            throw LayerConfigError("axes \(axes) do not fit \(inputs[0]) and \(inputs[1])")
        }
        first.remove(at: a)
        second.remove(at: b)
        second.removeFirst()
        var output = first + second
        if output.count == 1 { output.append(1) }
        return [TensorShape(output)]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }
}
