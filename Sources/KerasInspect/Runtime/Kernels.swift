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
        let rank = shape.count
        if permutation == Array(0..<rank) { return tensor }
        var inputStrides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * shape[axis + 1] }
        let outputShape = permutation.map { shape[$0] }
        let strides = permutation.map { inputStrides[$0] }
        var output = [Float](repeating: 0, count: tensor.count)
        var index = [Int](repeating: 0, count: rank)
        tensor.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                guard output.count > 0 else { return }
                var source = 0
                for position in 0..<output.count {
                    output[position] = input[source]
                    // Odometer over the output index, tracking the matching input offset.
                    var axis = rank - 1
                    while axis >= 0 {
                        index[axis] += 1
                        source += strides[axis]
                        if index[axis] < outputShape[axis] { break }
                        source -= strides[axis] * outputShape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return Tensor(shape: outputShape, values: output)
    }
}
