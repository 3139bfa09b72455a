/// Small loops that many forward passes share. Matrix products go through `BLAS`.
public enum Kernels {
    /// Adds `bias` to every row of `values` (rows of `bias.count` values: the channels-last layout).
    public static func addBias(_ bias: [Float], to values: inout [Float]) {
        let width = bias.count
        guard width > 0 else { return }
        values.withUnsafeMutableBufferPointer { output in
            bias.withUnsafeBufferPointer { bias in
                var start = 0
                while start < output.count {
                    for column in 0..<width { output[start + column] += bias[column] }
                    start += width
                }
            }
        }
    }

    /// Moves axis `from` of a row-major array to position `to`, keeping the others in order.
    public static func moveAxis(_ tensor: Tensor, from: Int, to: Int) -> Tensor {
        var order = Array(0..<tensor.rank)
        let axis = order.remove(at: from)
        order.insert(axis, at: to)
        return transpose(tensor, permutation: order)
    }

    /// The tensor with its axes reordered: output axis i is input axis `permutation[i]`.
    public static func transpose(_ tensor: Tensor, permutation: [Int]) -> Tensor {
        let shape = tensor.shape
        if permutation == Array(0..<shape.count) { return tensor }
        let inputStrides = strides(shape)
        let outputShape = permutation.map { shape[$0] }
        return Tensor(shape: outputShape, values: gather(tensor.values, from: 0, strides: permutation.map { inputStrides[$0] },
                                                         shape: outputShape))
    }

    /// The values of a strided view, in row-major order: element (i₀, i₁, …) of `shape` is
    /// `values[base + Σ iₖ · strides[k]]`. Transposes and slices are such views.
    static func gather(_ values: [Float], from base: Int, strides: [Int], shape: [Int]) -> [Float] {
        let rank = shape.count
        var output = [Float](repeating: 0, count: shape.reduce(1, *))
        var index = [Int](repeating: 0, count: rank)
        values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                guard output.count > 0 else { return }
                var source = base
                for position in 0..<output.count {
                    output[position] = input[source]
                    // Odometer over the output index, tracking the matching input offset.
                    var axis = rank - 1
                    while axis >= 0 {
                        index[axis] += 1
                        source += strides[axis]
                        if index[axis] < shape[axis] { break }
                        source -= strides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return output
    }
}
