/// NumPy-style broadcasting for element-wise layers (merges, PReLU, normalisation weights).
extension Kernels {
    /// For every element of a tensor of shape `target`, the flat index of the element of a
    /// tensor of shape `source` that broadcasting pairs it with. Both shapes have the same
    /// rank; each `source` dimension is 1 or equals the target's.
    static func broadcastIndices(from source: [Int], to target: [Int]) -> [Int] {
        let count = target.reduce(1, *)
        if source == target { return Array(0..<count) }
        let sourceStrides = strides(source)
        let effective = zip(source, sourceStrides).map { $0.0 == 1 ? 0 : $0.1 }
        var result = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: target.count)
        var offset = 0
        for position in 0..<count {
            result[position] = offset
            var axis = target.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += effective[axis]
                if index[axis] < target[axis] { break }
                offset -= effective[axis] * target[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The shape two shapes broadcast to (aligned at the last axis), or nil when they do not.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let a = Array(repeating: 1, count: rank - a.count) + a
        let b = Array(repeating: 1, count: rank - b.count) + b
        var shape: [Int] = []
        for (x, y) in zip(a, b) {
            guard x == y || x == 1 || y == 1 else { return nil }
            shape.append(x == 1 ? y : x)
        }
        return shape
    }

    /// `combine(a, b)` element by element after broadcasting both tensors to one shape.
    static func broadcast(_ a: Tensor, _ b: Tensor, _ combine: (Float, Float) -> Float) throws -> Tensor {
        if a.shape == b.shape {
            var result = a
            result.values.withUnsafeMutableBufferPointer { out in
                b.values.withUnsafeBufferPointer { b in
                    for i in out.indices { out[i] = combine(out[i], b[i]) }
                }
            }
            return result
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw RuntimeError("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let pad = { (s: [Int]) in Array(repeating: 1, count: shape.count - s.count) + s }
        let ia = broadcastIndices(from: pad(a.shape), to: shape)
        let ib = broadcastIndices(from: pad(b.shape), to: shape)
        var values = [Float](repeating: 0, count: ia.count)
        for i in values.indices { values[i] = combine(a.values[ia[i]], b.values[ib[i]]) }
        return Tensor(shape: shape, values: values, mask: a.mask ?? b.mask)
    }
}

extension Kernels {
    /// Axes counted from the end made positive, checked, sorted.
    static func resolvedAxes(_ axes: [Int], rank: Int) throws -> [Int] {
        try axes.map { axis -> Int in
            let resolved = axis < 0 ? axis + rank : axis
            guard resolved > 0, resolved < rank else { throw RuntimeError("axis \(axis) is out of range for rank \(rank)") }
            return resolved
        }.sorted()
    }

    /// For every input element, the index of the per-feature parameter it uses: parameters
    /// hold one value per position of the `axes` (in axis order), or have the input's rank
    /// with 1 on the other axes.
    static func parameterIndices(parameterShape: [Int], axes: [Int], input: [Int]) throws -> [Int] {
        var full = parameterShape
        if full.count != input.count {
            let resolved = try resolvedAxes(axes, rank: input.count)
            full = Array(repeating: 1, count: input.count)
            for axis in resolved { full[axis] = input[axis] }
        }
        guard full.reduce(1, *) == parameterShape.reduce(1, *),
              zip(full, input).allSatisfy({ $0.0 == 1 || $0.0 == $0.1 }) else {
            throw RuntimeError("parameters \(parameterShape) do not fit input \(input)")
        }
        return broadcastIndices(from: full, to: input)
    }
}
