/// Per-sample normalisation over some axes (UnitNormalization, RMSNormalization).
extension Kernels {
    /// Applies `body` to every run of values spanning `axes` (resolved, sorted; the other axes
    /// index the runs), with the normalised axes moved last and back again, so a per-feature
    /// parameter over the sorted axes lines up with the run's positions.
    static func normalizingRows(_ input: Tensor, axes: [Int],
                                _ body: (inout UnsafeMutableBufferPointer<Float>) -> Void) throws -> Tensor {
        let rank = input.rank
        let normalized = try resolvedAxes(axes, rank: rank)
        let kept = (0..<rank).filter { !normalized.contains($0) }
        let order = kept + normalized
        var moved = transpose(input, permutation: order)
        let width = normalized.map { input.shape[$0] }.reduce(1, *)
        guard width > 0 else { return input }
        moved.values.withUnsafeMutableBufferPointer { values in
            var start = 0
            while start < values.count {
                var row = UnsafeMutableBufferPointer(rebasing: values[start..<(start + width)])
                body(&row)
                start += width
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        var result = transpose(moved, permutation: inverse)
        result.mask = input.mask
        return result
    }

    /// `x · scale[c] + shift[c]` in place over (outer, channels, inner) blocks, the channel
    /// being the block's middle index (inner = 1 for channels-last).
    static func scaleAndShift(_ values: inout [Float], channels: Int, inner: Int, scale: [Float], shift: [Float]) {
        guard channels > 0, inner > 0 else { return }
        values.withUnsafeMutableBufferPointer { values in
            scale.withUnsafeBufferPointer { scale in
                shift.withUnsafeBufferPointer { shift in
                    guard var x = values.baseAddress else { return }
                    let blocks = values.count / (channels * inner)
                    if inner == 1 {
                        for _ in 0..<blocks {
                            for c in 0..<channels { x[c] = x[c] * scale[c] + shift[c] }
                            x += channels
                        }
                        return
                    }
                    for _ in 0..<blocks {
                        for c in 0..<channels {
                            let a = scale[c], b = shift[c]
                            for i in 0..<inner { x[i] = x[i] * a + b }
                            x += inner
                        }
                    }
                }
            }
        }
    }
}
