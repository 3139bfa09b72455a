/// `UpSampling1D/2D/3D`: repeats each spatial position `size` times along its axis (Keras 1:
/// `length` for 1-D). `interpolation` changes the values, not the shape. No weights.
public struct UpSamplingLayer: SingleInputLayerKind {
    public static let classNames = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]

    public let spatialRank: Int
    public let factors: [Int]
    public let channelsFirst: Bool
    let interpolation: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        interpolation = config.string("interpolation", default: "nearest")
        spatialRank = try LayerMath.spatialRank(announcedBy: config.className)
        factors = try config.ints("size", "length", count: spatialRank, default: Array(repeating: 2, count: spatialRank))
        channelsFirst = spatialRank > 1 && config.channelsFirst
        guard factors.allSatisfy({ $0 > 0 }) else { throw LayerConfigError("size \(factors) must be positive") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            output[axis] = try input[axis].map { try LayerMath.noOverflow($0.multipliedReportingOverflow(by: factors[index])) }
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// Nearest neighbour: output position p reads input position p / size on every axis.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard interpolation == "nearest" else {
            throw RuntimeError("\(interpolation) upsampling cannot run yet (nearest can)")
        }
        return Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { x in
            let rank = spatialRank
            let channels = x.lastDimension
            let inputSpatial = Array(x.shape[1...rank])
            let outputSpatial = zip(inputSpatial, factors).map { $0 * $1 }
            let inputStrides = Kernels.strides(inputSpatial)
            let inputPositions = inputSpatial.reduce(1, *), outputPositions = outputSpatial.reduce(1, *)
            var output = [Float](repeating: 0, count: x.batch * outputPositions * channels)
            x.values.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { output in
                    Kernels.forEachPosition(batch: x.batch, outputSpatial: outputSpatial) { b, position, index in
                        var from = b * inputPositions
                        for axis in 0..<rank { from += index[axis] / factors[axis] * inputStrides[axis] }
                        let to = (b * outputPositions + position) * channels
                        for c in 0..<channels { output[to + c] = source[from * channels + c] }
                    }
                }
            }
            return Tensor(shape: [x.batch] + outputSpatial + [channels], values: output)
        }
    }
}
