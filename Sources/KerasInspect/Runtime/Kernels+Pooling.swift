/// Pooling, padding and nearest-neighbour upsampling of channels-last tensors, over the
/// (depth, height, width) view of `WindowGeometry`: whole rows of channels are read and
/// written at a time.
extension Kernels {
    /// Max or average pooling. Window positions in the `same` padding take no part: the
    /// maximum ignores them and the mean divides by the positions inside the input, as
    /// TensorFlow's `max_pool` and `avg_pool` do.
    static func pooling(_ x: Tensor, geometry g: WindowGeometry, average: Bool) -> [Float] {
        let channels = g.channels
        let count = g.rows * channels
        var output = [Float](repeating: 0, count: count)
        guard count > 0 else { return output }
        let lines = g.batch * g.output.0 * g.output.1
        let parts = min(lines, 2)
        x.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                let (source, target) = (input.baseAddress!, output.baseAddress!)
                parallelChunks(parts, work: count * g.kernelPositions) { part in
                    poolingLines(split(lines, parts: parts, index: part), source, target, geometry: g, average: average)
                }
            }
        }
        return output
    }

    private static func poolingLines(_ lines: Range<Int>, _ input: UnsafePointer<Float>,
                                     _ output: UnsafeMutablePointer<Float>, geometry g: WindowGeometry,
                                     average: Bool) {
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (kD, kH, kW) = g.kernel, (sD, sH, sW) = g.strides
        let (pD, pH, pW) = g.padBefore
        let channels = g.channels
        for line in lines {
            let oh = line % outH, od = (line / outH) % outD, b = line / (outH * outD)
            let image = input + b * inD * inH * inW * channels
            let d0 = od * sD - pD, h0 = oh * sH - pH
            let depths = max(d0, 0)..<min(d0 + kD, inD), heights = max(h0, 0)..<min(h0 + kH, inH)
            for ow in 0..<outW {
                let out = output + (line * outW + ow) * channels
                let w0 = ow * sW - pW
                let widths = max(w0, 0)..<min(w0 + kW, inW)
                var first = true
                for id in depths {
                    for ih in heights {
                        let row = image + (id * inH + ih) * inW * channels
                        for iw in widths {
                            let pixel = row + iw * channels
                            if first {
                                out.update(from: pixel, count: channels)
                                first = false
                            } else if average {
                                for c in 0..<channels { out[c] += pixel[c] }
                            } else {
                                for c in 0..<channels { out[c] = max(out[c], pixel[c]) }
                            }
                        }
                    }
                }
                if average {
                    let scale = 1 / Float(depths.count * heights.count * widths.count)
                    for c in 0..<channels { out[c] *= scale }
                }
            }
        }
    }

    /// Pads (positive amounts) or crops (negative amounts) the spatial axes of a channels-last
    /// tensor with zeros, copying whole rows of the innermost axis at a time.
    static func padOrCrop(_ x: Tensor, before: [Int], after: [Int]) -> Tensor {
        let rank = before.count
        let inputSpatial = Array(x.shape[1...rank])
        let outputSpatial = (0..<rank).map { inputSpatial[$0] + before[$0] + after[$0] }
        let g = WindowGeometry(batch: x.batch, channels: x.lastDimension, input: inputSpatial, output: outputSpatial,
                               kernel: [], strides: [], dilation: [], padBefore: before)
        let channels = g.channels
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (pD, pH, pW) = g.padBefore
        let count = g.rows * channels
        var output = [Float](repeating: 0, count: count)
        // The innermost axis: which output columns read which input columns.
        let firstColumn = max(pW, 0), lastColumn = min(inW + pW, outW)
        let width = max(lastColumn - firstColumn, 0) * channels
        x.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                guard width > 0 else { return }
                for b in 0..<g.batch {
                    for od in 0..<outD {
                        let id = od - pD
                        guard id >= 0, id < inD else { continue }
                        for oh in 0..<outH {
                            let ih = oh - pH
                            guard ih >= 0, ih < inH else { continue }
                            let source = input.baseAddress! + (((b * inD + id) * inH + ih) * inW + firstColumn - pW) * channels
                            let target = output.baseAddress! + (((b * outD + od) * outH + oh) * outW + firstColumn) * channels
                            target.update(from: source, count: width)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.batch] + outputSpatial + [channels], values: output)
    }

    /// Repeats every position `factors[axis]` times along each spatial axis.
    static func repeatSpatial(_ x: Tensor, factors: [Int]) -> Tensor {
        let rank = factors.count
        let inputSpatial = Array(x.shape[1...rank])
        let outputSpatial = zip(inputSpatial, factors).map { $0 * $1 }
        let g = WindowGeometry(batch: x.batch, channels: x.lastDimension, input: inputSpatial, output: outputSpatial,
                               kernel: [], strides: factors, dilation: [], padBefore: [])
        let channels = g.channels
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (fD, fH, fW) = g.strides
        let count = g.rows * channels
        var output = [Float](repeating: 0, count: count)
        x.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                guard count > 0 else { return }
                var target = output.baseAddress!
                for b in 0..<g.batch {
                    for od in 0..<outD {
                        for oh in 0..<outH {
                            let row = input.baseAddress! + ((b * inD + od / fD) * inH + oh / fH) * inW * channels
                            for ow in 0..<outW {
                                target.update(from: row + (ow / fW) * channels, count: channels)
                                target += channels
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.batch] + outputSpatial + [channels], values: output)
    }
}
