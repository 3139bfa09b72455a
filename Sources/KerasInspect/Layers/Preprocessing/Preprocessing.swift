/// `Rescaling`: `x × scale + offset`; no weights.
public struct RescalingLayer: ShapePreservingLayerKind {
    public static let classNames = ["Rescaling"]

    let scale: Float
    let offset: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        scale = Float(config.double("scale", default: 1))
        offset = Float(config.double("offset", default: 0))
    }

    /// `x · scale + offset` (a scalar scale; per-channel lists cannot run yet).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let scale = scale, offset = offset
        return input.map { $0 * scale + offset }
    }
}

/// `Normalization`: `(x − mean) / √variance` with statistics learned by `adapt()`.
/// When the config gives `mean` and `variance` they are constants and no weights exist;
/// otherwise the layer holds non-trainable `mean`, `variance` (one value per kept axis)
/// and an int64 scalar `count`.
public struct NormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["Normalization"]

    public let keptAxes: [Int]
    public let hasConstantStatistics: Bool
    let invert: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        invert = config.bool("invert", default: false)
        keptAxes = try config.axes("axis", default: [-1])
        hasConstantStatistics = config.has("mean") && config.has("variance")
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        if hasConstantStatistics { return [] }
        let shape = try LayerMath.axisSizes(keptAxes, of: input)
        return [
            WeightSpec("mean", shape, trainable: false),
            WeightSpec("variance", shape, trainable: false),
            WeightSpec("count", [], trainable: false, dtype: "int64"),
        ]
    }

    /// `(x − mean) / max(√variance, ε)` with Keras' ε = 1e-7, or the inverse with `invert`.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard !hasConstantStatistics, weights.count >= 2 else {
            throw RuntimeError("Normalization with statistics in its config cannot run yet")
        }
        let mean = weights[0], variance = weights[1]
        let index = try Kernels.parameterIndices(parameterShape: mean.shape, axes: keptAxes, input: input.shape)
        var result = input
        for i in result.values.indices {
            let deviation = max(variance.values[index[i]].squareRoot(), 1e-7)
            result.values[i] = invert ? result.values[i] * deviation + mean.values[index[i]]
                : (result.values[i] - mean.values[index[i]]) / deviation
        }
        return result
    }

    public static let explanation = """
        Normalization stores the mean and variance it computed with adapt(), and the number of \
        samples seen (count, an integer). They are set from data, never by gradients, so all \
        three are non-trainable.
        """
}
