/// `BatchNormalization`: normalises each feature of `axis` with statistics over the batch.
/// Weights, each one value per feature: `gamma` (if `scale`) and `beta` (if `center`),
/// learned by gradient descent; `moving_mean` and `moving_variance`, updated from batch
/// statistics during training and therefore non-trainable. Params: C × (scale + center + 2).
public struct BatchNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["BatchNormalization"]

    public let axes: [Int]
    public let center: Bool
    public let scale: Bool
    /// Keras 1 called the moving variance `running_std` (it held a variance from 1.0.6 on).
    let usesKeras1Names: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axis", default: [-1])
        center = config.bool("center", default: true)
        scale = config.bool("scale", default: true)
        usesKeras1Names = config.has("mode") || config.has("beta_init")
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let shape = try LayerMath.axisSizes(axes, of: input)
        var weights: [WeightSpec] = []
        if scale { weights.append(WeightSpec("gamma", shape)) }
        if center { weights.append(WeightSpec("beta", shape)) }
        weights.append(WeightSpec(usesKeras1Names ? "running_mean" : "moving_mean", shape, trainable: false))
        weights.append(WeightSpec(usesKeras1Names ? "running_std" : "moving_variance", shape, trainable: false))
        return weights
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let weights = try? expectedWeights(for: inputs), let size = weights.first?.elementCount else { return nil }
        return "= \(weights.count) × \(NumberText.grouped(size))"
    }

    public static let explanation = """
        BatchNormalization keeps four vectors with one value per feature. gamma (scale) and beta \
        (shift) are learned by gradient descent, so they are trainable. moving_mean and \
        moving_variance are running averages of the batch statistics, updated during training \
        but not by gradients, so Keras counts them as non-trainable; at inference they replace \
        the batch statistics.
        """
}

/// `LayerNormalization`: normalises each sample over `axis`.
/// Weights `gamma` (if `scale`) and `beta` (if `center`, and not with Keras 3's
/// `rms_scaling`), each shaped like the normalised axes. Params: 2 × their product.
public struct LayerNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["LayerNormalization"]

    public let axes: [Int]
    public let center: Bool
    public let scale: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axis", default: [-1])
        scale = config.bool("scale", default: true)
        center = config.bool("center", default: true) && !config.bool("rms_scaling", default: false)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let shape = try LayerMath.axisSizes(axes, of: input)
        var weights: [WeightSpec] = []
        if scale { weights.append(WeightSpec("gamma", shape)) }
        if center { weights.append(WeightSpec("beta", shape)) }
        return weights
    }

    public static let explanation = """
        LayerNormalization normalises each sample over its feature axes, then applies a learned \
        scale (gamma) and shift (beta), one value per normalised feature. Unlike \
        BatchNormalization it keeps no running statistics.
        """
}

/// `GroupNormalization`: normalises groups of channels; `gamma`, `beta` per channel.
public struct GroupNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["GroupNormalization"]

    public let axis: Int
    public let center: Bool
    public let scale: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axis = try config.int("axis", default: -1)
        scale = config.bool("scale", default: true)
        center = config.bool("center", default: true)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try LayerMath.axisSizes([axis], of: input)
        var weights: [WeightSpec] = []
        if scale { weights.append(WeightSpec("gamma", channels)) }
        if center { weights.append(WeightSpec("beta", channels)) }
        return weights
    }
}

/// `UnitNormalization`: scales each sample to unit L2 norm; no weights.
public struct UnitNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["UnitNormalization"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}
