/// `Rescaling`: `x × scale + offset`; no weights. Keras 3 also takes lists (one value per
/// channel, broadcast against the last axes as NumPy does).
public struct RescalingLayer: ShapePreservingLayerKind {
    public static let classNames = ["Rescaling"]

    let scale: ConstantArray
    let offset: ConstantArray

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        scale = try ConstantArray(config["scale"], default: 1, key: "scale")
        offset = try ConstantArray(config["offset"], default: 0, key: "offset")
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        if scale.shape.isEmpty, offset.shape.isEmpty {
            let scale = scale.values[0], offset = offset.values[0]
            return input.map { $0 * scale + offset }
        }
        let scaleIndex = try scale.indices(broadcastTo: input.shape)
        let offsetIndex = try offset.indices(broadcastTo: input.shape)
        var result = input
        for i in result.values.indices {
            result.values[i] = result.values[i] * scale.values[scaleIndex[i]] + offset.values[offsetIndex[i]]
        }
        return result
    }
}

/// A number or nested list of numbers from a config (Keras 3 may wrap arrays as
/// `{"class_name": "__numpy__", "config": {"value": …}}`), flattened in C order.
struct ConstantArray: Sendable {
    var shape: [Int]
    var values: [Float]

    init(_ value: JSONValue?, default defaultValue: Float, key: String) throws {
        guard var value, !value.isNull else {
            shape = []
            values = [defaultValue]
            return
        }
        if value["class_name"]?.stringValue == "__numpy__", let inner = value["config"]?["value"] { value = inner }
        guard let (shape, values) = Self.flatten(value) else { throw LayerConfigError("'\(key)' is not a number or an array of numbers") }
        self.shape = shape
        self.values = values
    }

    private static func flatten(_ value: JSONValue) -> ([Int], [Float])? {
        if let number = value.doubleValue { return ([], [Float(number)]) }
        guard let items = value.arrayValue else { return nil }
        var inner: [Int]? = nil
        var values: [Float] = []
        for item in items {
            guard let (shape, flat) = flatten(item), inner == nil || inner == shape else { return nil }
            inner = shape
            values += flat
        }
        return ([items.count] + (inner ?? []), values)
    }

    /// For every element of a tensor of `target` shape, the index of the value NumPy pairs it with.
    func indices(broadcastTo target: [Int]) throws -> [Int] {
        let padded = Array(repeating: 1, count: max(target.count - shape.count, 0)) + shape
        guard padded.count == target.count, zip(padded, target).allSatisfy({ $0.0 == 1 || $0.0 == $0.1 }) else {
            throw RuntimeError("\(shape) does not broadcast to \(target)")
        }
        return Kernels.broadcastIndices(from: padded, to: target)
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
    let constantMean: JSONValue?
    let constantVariance: JSONValue?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        invert = config.bool("invert", default: false)
        keptAxes = try config.axes("axis", default: [-1])
        hasConstantStatistics = config.has("mean") && config.has("variance")
        constantMean = config["mean"]
        constantVariance = config["variance"]
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
    /// Statistics come from the weights, or from the config, where a scalar covers every kept
    /// position and an array lines up with the last kept axes (NumPy broadcasting).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let mean: Tensor, variance: Tensor
        if hasConstantStatistics {
            let kept = try keptAxes.map { axis -> Int in
                let resolved = axis < 0 ? axis + input.rank : axis
                guard resolved >= 0, resolved < input.rank else { throw RuntimeError("axis \(axis) is out of range") }
                return resolved
            }.sorted()
            let keptShape = kept.map { input.shape[$0] }
            let broadcast = { (array: ConstantArray) throws -> Tensor in
                let index = try array.indices(broadcastTo: keptShape)
                return Tensor(shape: keptShape, values: index.map { array.values[$0] })
            }
            mean = try broadcast(try ConstantArray(constantMean, default: 0, key: "mean"))
            variance = try broadcast(try ConstantArray(constantVariance, default: 1, key: "variance"))
        } else {
            guard weights.count >= 2 else { throw RuntimeError("missing mean and variance") }
            mean = weights[0]
            variance = weights[1]
        }
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
