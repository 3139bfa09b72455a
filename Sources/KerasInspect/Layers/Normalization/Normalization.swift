/// `BatchNormalization`: normalises each feature of `axis` with statistics over the batch.
/// Weights, each one value per feature: `gamma` (if `scale`) and `beta` (if `center`),
/// learned by gradient descent; `moving_mean` and `moving_variance`, updated from batch
/// statistics during training and therefore non-trainable; with `renorm` also
/// `moving_stddev`, `renorm_mean` and `renorm_stddev`, non-trainable too.
/// Params: C × (scale + center + 2 (+ 3 with renorm)), C = the size of the `axis` dims.
///
/// tf-keras stores `axis` as a list of positive axes once built (`[3]`, Keras 3 keeps `-1`).
/// With several axes, or with `virtual_batch_size`, tf-keras shapes every weight like the
/// input with 1 on the other axes (batch included): axis [1, 3] on (None, 2, 5, 3) gives
/// (1, 2, 1, 3). Virtual batches split the batch axis in two, so tf-keras adds a 1 after
/// the batch and shifts the stored axes up by one: axis -1 on (None, 4, 5) is stored as
/// [3] and its weights are (1, 1, 1, 5).
public struct BatchNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["BatchNormalization"]
    /// How the moving statistics are updated in training; inference reads them as stored.
    public static let inferenceNeutralConfigKeys: Set<String> = [
        "momentum", "renorm_clipping", "renorm_momentum", "synchronized",
    ]
    /// Keras creates gamma, beta and the moving statistics with `autocast=False`.
    public var castsWeightsToComputeDType: Bool { false }

    public let axes: [Int]
    public let center: Bool
    public let scale: Bool
    public let renorm: Bool
    public let virtualBatchSize: Int?
    /// Keras 1 called the moving variance `running_std` (it held a variance from 1.0.6 on).
    let usesKeras1Names: Bool
    /// Keras 1's `mode`: 0 feature-wise with moving statistics, 1 sample-wise, 2 feature-wise
    /// with the batch's statistics in training and at test time.
    let keras1Mode: Int
    let epsilon: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        epsilon = Float(config.double("epsilon", default: 1e-3))
        axes = try config.axes("axis", default: [-1])
        center = config.bool("center", default: true)
        scale = config.bool("scale", default: true)
        renorm = config.bool("renorm", default: false)
        virtualBatchSize = config.optionalInt("virtual_batch_size")
        usesKeras1Names = config.has("mode") || config.has("beta_init")
        keras1Mode = config.optionalInt("mode") ?? 0
        guard !axes.isEmpty else { throw LayerConfigError("axis must name at least one axis") }
    }

    /// The shape every weight has on this input.
    func parameterShape(for input: TensorShape) throws -> [Int] {
        if virtualBatchSize != nil {
            // Stored positive axes count the inserted virtual-batch axis; negative ones
            // (a config saved before build) count from the end of the real input.
            let original = try Set(axes.map { axis -> Int in
                guard let resolved = input.normalizedAxis(axis < 0 ? axis : axis - 1), resolved > 0 else {
                    throw LayerConfigError("axis \(axis) is out of range for input \(input) with virtual batches")
                }
                return resolved
            })
            return try [1, 1] + (1..<input.rank).map { try original.contains($0) ? Self.size(input, $0) : 1 }
        }
        guard axes.count > 1 else { return try LayerMath.axisSizes(axes, of: input) }
        let resolved = try Set(axes.map { axis -> Int in
            guard let index = input.normalizedAxis(axis), index > 0 else {
                throw LayerConfigError("axis \(axis) is out of range for input \(input)")
            }
            return index
        })
        return try (0..<input.rank).map { try resolved.contains($0) ? Self.size(input, $0) : 1 }
    }

    private static func size(_ input: TensorShape, _ axis: Int) throws -> Int {
        guard let size = input[axis] else { throw LayerConfigError("axis \(axis) of input \(input) is unknown") }
        return size
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let shape = try parameterShape(for: input)
        var weights: [WeightSpec] = []
        if scale { weights.append(WeightSpec("gamma", shape)) }
        if center { weights.append(WeightSpec("beta", shape)) }
        weights.append(WeightSpec(usesKeras1Names ? "running_mean" : "moving_mean", shape, trainable: false))
        weights.append(WeightSpec(usesKeras1Names ? "running_std" : "moving_variance", shape, trainable: false))
        if renorm {
            // Batch renormalisation tracks a standard deviation for inference and its own
            // running mean and deviation for training.
            for name in ["moving_stddev", "renorm_mean", "renorm_stddev"] {
                weights.append(WeightSpec(name, shape, trainable: false))
            }
        }
        return weights
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let weights = try? expectedWeights(for: inputs), let size = weights.first?.elementCount else { return nil }
        return "= \(weights.count) × \(NumberText.grouped(size))"
    }

    /// Inference uses the moving statistics: `(x − mean) / √(variance + ε) · γ + β`, folded
    /// into one scale and shift per feature.
    /// With `virtual_batch_size`, inference still uses the moving statistics over the whole
    /// batch, so only the weights' extra leading 1 (the virtual-batch axis) goes.
    /// tf-keras' fused kernel once raised epsilon to 1.001e-5; TensorFlow 2.21 no longer does
    /// (the tiny-variance truth tables check it), so epsilon is used as configured.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        var next = 0
        func take() throws -> Tensor {
            guard next < weights.count else { throw RuntimeError("missing statistics") }
            defer { next += 1 }
            return weights[next]
        }
        let gamma = scale ? try take() : nil
        let beta = center ? try take() : nil
        var mean = try take(), variance = try take()
        if keras1Mode == 1 {
            throw RuntimeError("Keras 1 BatchNormalization mode 1 (sample-wise) cannot run yet")
        }
        if keras1Mode == 2 {
            // Keras 1.2.2, mode 2: the batch's own statistics, at test time too
            // (normalize_batch_in_training over every axis but `axis`).
            (mean.values, variance.values) = try batchStatistics(input, channels: mean.count)
        }
        var factor = [Float](repeating: 1, count: mean.count), shift = [Float](repeating: 0, count: mean.count)
        for i in 0..<mean.count {
            factor[i] = (gamma?.values[i] ?? 1) / (variance.values[i] + epsilon).squareRoot()
            shift[i] = (beta?.values[i] ?? 0) - mean.values[i] * factor[i]
        }
        var parameterShape = mean.shape
        if virtualBatchSize != nil, parameterShape.count == input.rank + 1, parameterShape.first == 1 {
            parameterShape.removeFirst()
        }
        if parameterShape.count <= 1, axes.count == 1 {
            // One axis (the usual case): every run of `inner` values shares one channel's
            // scale and shift, so no per-element index is needed.
            let axis = axes[0] < 0 ? axes[0] + input.rank : axes[0]
            guard axis > 0, axis < input.rank, input.shape[axis] == factor.count else {
                throw RuntimeError("statistics of \(factor.count) values do not fit axis \(axes[0]) of \(input.shape)")
            }
            var result = input
            Kernels.scaleAndShift(&result.values, channels: factor.count,
                                  inner: input.shape[(axis + 1)...].reduce(1, *), scale: factor, shift: shift)
            return result
        }
        let index = try Kernels.parameterIndices(parameterShape: parameterShape, axes: axes, input: input.shape)
        var result = input
        result.values.withUnsafeMutableBufferPointer { values in
            factor.withUnsafeBufferPointer { factor in
                shift.withUnsafeBufferPointer { shift in
                    index.withUnsafeBufferPointer { index in
                        for i in values.indices { values[i] = values[i] * factor[index[i]] + shift[index[i]] }
                    }
                }
            }
        }
        return result
    }

    /// Mean and (biased) variance per channel of `axis` over every other axis of `input`.
    private func batchStatistics(_ input: Tensor, channels: Int) throws -> ([Float], [Float]) {
        guard axes.count == 1 else { throw RuntimeError("batch statistics over several axes cannot run yet") }
        let axis = axes[0] < 0 ? axes[0] + input.rank : axes[0]
        guard axis > 0, axis < input.rank, input.shape[axis] == channels else {
            throw RuntimeError("axis \(axes[0]) of \(input.shape) does not have \(channels) channels")
        }
        let inner = input.shape[(axis + 1)...].reduce(1, *), blocks = input.count / max(channels * inner, 1)
        let count = Float(blocks * inner)
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        for block in 0..<blocks {
            for c in 0..<channels {
                let start = (block * channels + c) * inner
                for i in 0..<inner { mean[c] += input.values[start + i] }
            }
        }
        for c in 0..<channels { mean[c] /= count }
        for block in 0..<blocks {
            for c in 0..<channels {
                let start = (block * channels + c) * inner
                for i in 0..<inner { let d = input.values[start + i] - mean[c]; variance[c] += d * d }
            }
        }
        for c in 0..<channels { variance[c] /= count }
        return (mean, variance)
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
    /// Keras turns autocasting off for this layer and its weights: it normalises in float32.
    public var castsInputsToComputeDType: Bool { false }
    public var castsWeightsToComputeDType: Bool { false }

    public let axes: [Int]
    public let center: Bool
    public let scale: Bool
    let rmsScaling: Bool
    let epsilon: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axis", default: [-1])
        scale = config.bool("scale", default: true)
        rmsScaling = config.bool("rms_scaling", default: false)
        center = config.bool("center", default: true) && !rmsScaling
        epsilon = Float(config.double("epsilon", default: 1e-3))
    }

    /// Each sample's values over the normalised axes get mean 0 and variance 1 (with
    /// `rms_scaling`, only the division, no centring), then γ and β.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let normalized = try Kernels.resolvedAxes(axes, rank: input.rank)
        let kept = (0..<input.rank).filter { !normalized.contains($0) }
        let moved = Kernels.transpose(input, permutation: kept + normalized)
        let width = normalized.map { input.shape[$0] }.reduce(1, *)
        let gamma = scale ? weights.first : nil
        let beta = center ? weights.dropFirst(scale ? 1 : 0).first : nil
        var values = moved.values
        values.withUnsafeMutableBufferPointer { values in
            var start = 0
            while start < values.count {
                var mean: Float = 0, variance: Float = 0
                for i in 0..<width { mean += values[start + i] }
                mean /= Float(width)
                if rmsScaling {
                    // Keras 3 (as of 3.15, and documented as a known flaw) divides by the
                    // variance's root here, not the root mean square, without centring.
                    for i in 0..<width { let d = values[start + i] - mean; variance += d * d }
                    variance /= Float(width)
                    let inverse = 1 / (variance + epsilon).squareRoot()
                    for i in 0..<width { values[start + i] *= inverse * (gamma?.values[i] ?? 1) }
                } else {
                    for i in 0..<width { let d = values[start + i] - mean; variance += d * d }
                    variance /= Float(width)
                    let inverse = 1 / (variance + epsilon).squareRoot()
                    for i in 0..<width {
                        values[start + i] = (values[start + i] - mean) * inverse * (gamma?.values[i] ?? 1) + (beta?.values[i] ?? 0)
                    }
                }
                start += width
            }
        }
        var inverse = [Int](repeating: 0, count: input.rank)
        for (position, axis) in (kept + normalized).enumerated() { inverse[axis] = position }
        var result = Kernels.transpose(Tensor(shape: moved.shape, values: values), permutation: inverse)
        result.mask = input.mask
        return result
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

/// `GroupNormalization`: normalises groups of channels along `axis` (`groups` -1: one
/// channel per group, instance normalisation); `gamma` (if `scale`) and `beta` (if `center`)
/// have one value per channel. Params: 2 × C.
public struct GroupNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["GroupNormalization"]
    /// Keras turns autocasting off for this layer and its weights: it normalises in float32.
    public var castsInputsToComputeDType: Bool { false }
    public var castsWeightsToComputeDType: Bool { false }

    public let axis: Int
    public let groups: Int
    public let center: Bool
    public let scale: Bool
    let epsilon: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axis = try config.int("axis", default: -1)
        epsilon = Float(config.double("epsilon", default: 1e-3))
        groups = try config.int("groups", default: 32)
        scale = config.bool("scale", default: true)
        center = config.bool("center", default: true)
        guard groups == -1 || groups > 0 else { throw LayerConfigError("groups must be positive or -1, got \(groups)") }
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try LayerMath.axisSizes([axis], of: input)
        guard groups == -1 || channels[0] % groups == 0 else {
            throw LayerConfigError("\(channels[0]) channels cannot be split into \(groups) groups")
        }
        var weights: [WeightSpec] = []
        if scale { weights.append(WeightSpec("gamma", channels)) }
        if center { weights.append(WeightSpec("beta", channels)) }
        return weights
    }

    /// Per sample and group of adjacent channels: mean and variance over the group's channels
    /// at every position, then `x · inv + (β − mean · inv)` with `inv = γ / √(var + ε)`
    /// (Keras' `_apply_normalization`).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let rank = input.rank
        let channelAxis = axis < 0 ? axis + rank : axis
        guard channelAxis > 0, channelAxis < rank else { throw RuntimeError("axis \(axis) is out of range for rank \(rank)") }
        let channels = input.shape[channelAxis]
        let groupCount = groups == -1 ? channels : groups
        guard groupCount > 0, channels % groupCount == 0 else {
            throw RuntimeError("\(channels) channels cannot be split into \(groupCount) groups")
        }
        let gamma = scale ? weights.first : nil
        let beta = center ? weights.dropFirst(scale ? 1 : 0).first : nil
        var moved = Kernels.moveAxis(input, from: channelAxis, to: rank - 1)
        let samples = input.batch, positions = moved.count / max(samples * channels, 1)
        let perGroup = channels / groupCount
        let count = Float(positions * perGroup)
        moved.values.withUnsafeMutableBufferPointer { values in
            for sample in 0..<samples {
                let base = sample * positions * channels
                for group in 0..<groupCount {
                    let first = group * perGroup
                    var mean: Float = 0
                    for p in 0..<positions { for c in 0..<perGroup { mean += values[base + p * channels + first + c] } }
                    mean /= count
                    var variance: Float = 0
                    for p in 0..<positions {
                        for c in 0..<perGroup { let d = values[base + p * channels + first + c] - mean; variance += d * d }
                    }
                    variance /= count
                    let root = 1 / (variance + epsilon).squareRoot()
                    for c in 0..<perGroup {
                        let inv = root * (gamma?.values[first + c] ?? 1)
                        let shift = -mean * inv + (beta?.values[first + c] ?? 0)
                        for p in 0..<positions {
                            let i = base + p * channels + first + c
                            values[i] = values[i] * inv + shift
                        }
                    }
                }
            }
        }
        var result = Kernels.moveAxis(moved, from: rank - 1, to: channelAxis)
        result.mask = input.mask
        return result
    }
}

/// `UnitNormalization`: scales each sample to unit L2 norm over `axis`; no weights.
/// Keras 3 multiplies by `min(1/‖x‖, 1e12)` (ops.normalize, epsilon 1e-12); tf-keras by
/// `1/√max(Σx², 1e-12)` (tf.math.l2_normalize); they differ only for near-zero vectors.
public struct UnitNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["UnitNormalization"]

    let axes: [Int]
    let keras3: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axis", default: [-1])
        keras3 = config.isKeras3
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let keras3 = keras3
        return try Kernels.normalizingRows(input, axes: axes) { row in
            var sum: Float = 0
            for value in row { sum += value * value }
            let scale = keras3 ? min(1 / sum.squareRoot(), 1e12) : 1 / max(sum, 1e-12).squareRoot()
            for i in row.indices { row[i] *= scale }
        }
    }
}

/// `RMSNormalization` (Keras 3): divides each sample by its root mean square over `axis`
/// and multiplies by a learned `scale`, one value per element of the normalised axes
/// (Keras sorts the axes, so `[2, 1]` on (None, 4, 6) gives (4, 6)). Params: their product.
public struct RMSNormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["RMSNormalization"]

    public let axes: [Int]
    let epsilon: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axes = try config.axes("axis", default: [-1])
        epsilon = Float(config.double("epsilon", default: 1e-6))
    }

    /// `x / √(mean(x²) + ε) · scale` over the (sorted) axes (ops.rms_normalization).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let scale = weights.first else { throw RuntimeError("missing scale") }
        let epsilon = epsilon
        return try Kernels.normalizingRows(input, axes: axes) { row in
            guard row.count == scale.count else { return }
            var sum: Float = 0
            for value in row { sum += value * value }
            let inverse = 1 / (sum / Float(row.count) + epsilon).squareRoot()
            scale.values.withUnsafeBufferPointer { scale in
                for i in row.indices { row[i] = row[i] * inverse * scale[i] }
            }
        }
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let resolved = try axes.map { axis -> Int in
            guard let index = input.normalizedAxis(axis) else {
                throw LayerConfigError("axis \(axis) is out of range for input \(input)")
            }
            return index
        }
        return [WeightSpec("scale", try LayerMath.axisSizes(resolved.sorted(), of: input))]
    }

    public static let explanation = """
        RMSNormalization rescales each sample by its root mean square, then multiplies by a \
        learned scale with one value per normalised feature; there is no shift.
        """
}

/// `SpectralNormalization`: wraps a layer with a `kernel` (or `embeddings`) and divides it
/// by its largest singular value, estimated by power iteration with a non-trainable
/// `vector_u` of shape (1, last kernel dimension). Output shape and other weights are the
/// wrapped layer's. Params: the wrapped layer's + the kernel's last dimension.
///
/// The order of `layer.weights` differs: Keras 3 lists the kernel (which it tracks as the
/// wrapper's own), then `vector_u`, then the wrapped layer's other weights; tf-keras lists
/// the wrapped layer's weights, then `vector_u`.
public struct SpectralNormalizationLayer: SingleInputLayerKind {
    public static let classNames = ["SpectralNormalization"]
    /// Keras re-normalises the kernel only in training; inference uses the stored kernel.
    public static let inferenceNeutralConfigKeys: Set<String> = ["power_iterations"]

    let wrapped: WrappedLayer
    let keras3Order: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        wrapped = try WrappedLayer(in: config, role: "layer", catalog: catalog)
        keras3Order = config.isKeras3
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard let output = try wrapped.kind.outputShapes(for: [input]).first else {
            throw LayerConfigError("the wrapped layer has no output")
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        var inner = try wrapped.expectedWeights(for: [input])
        let kernelIndex = inner.firstIndex { $0.name == "kernel" } ?? inner.firstIndex { $0.name == "embeddings" }
        guard let kernelIndex, let width = inner[kernelIndex].shape.last else {
            throw LayerConfigError("the wrapped layer has no kernel or embeddings to normalise")
        }
        let vector = WeightSpec("vector_u", [1, width], trainable: false)
        guard keras3Order else { return inner + [vector] }
        let kernel = inner.remove(at: kernelIndex)
        return [kernel, vector] + inner
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        wrapped.kind.multiplyAccumulates(inputs: inputs, outputs: outputs)
    }

    /// At inference the wrapper runs the wrapped layer on its kernel as stored: Keras divides
    /// the kernel by its spectral norm (and writes it back) only in training calls, so the
    /// saved kernel is already normalised and `vector_u` is not read.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let shape = TensorShape([nil] + input.shape.dropFirst().map { $0 })
        let inner = try wrapped.expectedWeights(for: [shape])
        guard weights.count == inner.count + 1 else {
            throw RuntimeError("expected \(inner.count + 1) weights, got \(weights.count)")
        }
        var innerWeights: [Tensor]
        if keras3Order {
            let kernelIndex = inner.firstIndex { $0.name == "kernel" } ?? inner.firstIndex { $0.name == "embeddings" } ?? 0
            innerWeights = Array(weights.dropFirst(2))
            innerWeights.insert(weights[0], at: kernelIndex)
        } else {
            innerWeights = Array(weights.dropLast())
        }
        guard let output = try wrapped.kind.forward([input], weights: innerWeights).first else {
            throw RuntimeError("the wrapped layer gave no output")
        }
        return output
    }

    public static let explanation = """
        SpectralNormalization keeps the wrapped layer's weights and adds one non-trainable \
        vector, used to estimate the kernel's largest singular value by power iteration.
        """
}
