import Dispatch

/// The sizes of a window sliding over the spatial axes of a channels-last tensor
/// `(batch, s…, channels)`, with 1-D and 2-D ops seen as 3-D ones whose leading axes have
/// size 1: one loop nest serves Conv1D/2D/3D, depthwise convolutions, pooling and their
/// transposes, and the innermost axis stays the contiguous one.
struct WindowGeometry {
    let batch: Int
    let channels: Int
    /// Spatial sizes as (depth, height, width).
    let input: (Int, Int, Int)
    let output: (Int, Int, Int)
    let kernel: (Int, Int, Int)
    let strides: (Int, Int, Int)
    let dilation: (Int, Int, Int)
    let padBefore: (Int, Int, Int)

    /// `shape` is the channels-last input shape; the window's sizes are per spatial axis.
    init(shape: [Int], kernel: [Int], strides: [Int], dilation: [Int], padding: String) {
        let rank = kernel.count
        let spatial = Array(shape[1...rank])
        let axes = (0..<rank).map {
            Kernels.window(length: spatial[$0], kernel: kernel[$0], stride: strides[$0], dilation: dilation[$0],
                           padding: padding)
        }
        self.init(batch: shape[0], channels: shape[rank + 1], input: spatial, output: axes.map(\.outputLength),
                  kernel: kernel, strides: strides, dilation: dilation, padBefore: axes.map(\.padBefore))
    }

    /// Explicit sizes (transposed convolutions, whose output size comes from elsewhere).
    init(batch: Int, channels: Int, input: [Int], output: [Int], kernel: [Int], strides: [Int], dilation: [Int],
         padBefore: [Int]) {
        func three(_ values: [Int], _ fill: Int) -> (Int, Int, Int) {
            let padded = Array(repeating: fill, count: 3 - values.count) + values
            return (padded[0], padded[1], padded[2])
        }
        self.batch = batch
        self.channels = channels
        self.input = three(input, 1)
        self.output = three(output, 1)
        self.kernel = three(kernel, 1)
        self.strides = three(strides, 1)
        self.dilation = three(dilation, 1)
        self.padBefore = three(padBefore, 0)
    }

    var inputPositions: Int { input.0 * input.1 * input.2 }
    var outputPositions: Int { output.0 * output.1 * output.2 }
    var kernelPositions: Int { kernel.0 * kernel.1 * kernel.2 }
    /// Output rows of the batch: one per (sample, output position).
    var rows: Int { batch * outputPositions }
    /// The output's spatial sizes with the rank of `like`.
    func outputSpatial(rank: Int) -> [Int] { Array([output.0, output.1, output.2].suffix(rank)) }
}

/// A value handed to other threads under the caller's guarantee that they do not race on it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Kernels {
    /// Runs `body(chunk)` for chunks `0..<count` on both cores when the work is large enough
    /// to pay for waking a second thread (about 20 µs), else on this one. `work` estimates the
    /// multiply-adds or values touched in all.
    static func parallelChunks(_ count: Int, work: Int, _ body: (Int) -> Void) {
        if count > 1, work >= 1 << 17 {
            // Each chunk writes its own part of the output, through pointers the caller owns
            // until this returns: safe to share although Swift cannot prove it.
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
            }
        } else {
            for chunk in 0..<count { body(chunk) }
        }
    }

    /// Splits `0..<total` into `parts` nearly equal ranges.
    static func split(_ total: Int, parts: Int, index: Int) -> Range<Int> {
        let base = total / parts, extra = total % parts
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Convolution of a channels-last tensor as matrix products: the patches of a block of output
    /// rows gathered into a matrix (im2col) and multiplied by the kernel seen as a
    /// (kernel positions · channels / groups) × filters matrix, straight into the output, which
    /// is channels-last. Blocks of about 2 MB keep the patches in cache between the copy and the
    /// product. A 1×1 kernel with stride 1 multiplies the input itself. `kernel` is Keras'
    /// `(k…, channels / groups, filters)` array; `bias` (filters) seeds the output.
    static func convolution(_ x: Tensor, kernel: UnsafePointer<Float>, filters: Int, groups: Int,
                            geometry g: WindowGeometry, bias: [Float]?) -> [Float] {
        let rows = g.rows
        let groupChannels = g.channels / groups, groupFilters = filters / groups
        let depth = g.kernelPositions * groupChannels
        var output = [Float](unsafeUninitializedCapacity: rows * filters) { buffer, count in
            Kernels.fill(buffer, rows: rows, with: bias, width: filters)
            count = rows * filters
        }
        guard rows > 0, filters > 0 else { return output }
        let pointwise = g.kernelPositions == 1 && g.strides == (1, 1, 1) && g.output == g.input
        x.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                // The output already holds the bias or zeros: sgemm adds to it.
                let beta: Float = 1
                if pointwise {
                    for group in 0..<groups {
                        BLAS.gemm(m: rows, n: groupFilters, k: groupChannels,
                                  input.baseAddress! + group * groupChannels, lda: g.channels,
                                  kernel + group * groupFilters, ldb: filters,
                                  output.baseAddress! + group * groupFilters, ldc: filters, beta: beta)
                    }
                    return
                }
                // At least 512 rows, so that sgemm does not re-pack the kernel for thin slices,
                // and about 2 MB of patches (ResNet50 at batch 8: 20% faster than one block).
                let blockRows = min(rows, max(512, (1 << 19) / max(depth, 1)))
                let columns = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * depth)
                defer { columns.deallocate() }
                var start = 0
                while start < rows {
                    let block = start..<min(start + blockRows, rows)
                    for group in 0..<groups {
                        im2col(input.baseAddress!, geometry: g, channelOffset: group * groupChannels,
                               width: groupChannels, rows: block, into: columns)
                        BLAS.gemm(m: block.count, n: groupFilters, k: depth, columns, lda: depth,
                                  kernel + group * groupFilters, ldb: filters,
                                  output.baseAddress! + block.lowerBound * filters + group * groupFilters,
                                  ldc: filters, beta: beta)
                    }
                    start = block.upperBound
                }
            }
        }
        return output
    }

    /// `rows` copies of `bias` (or zeros), `width` values each.
    static func fill(_ buffer: UnsafeMutableBufferPointer<Float>, rows: Int, with bias: [Float]?, width: Int) {
        guard let bias, bias.count == width, width > 0 else {
            buffer.initialize(repeating: 0)
            return
        }
        bias.withUnsafeBufferPointer { bias in
            var target = buffer.baseAddress!
            for _ in 0..<rows {
                target.initialize(from: bias.baseAddress!, count: width)
                target += width
            }
        }
    }

    /// The patches of output rows `rows` (sample-major), channels `channelOffset ..< + width`
    /// of each input position, one row of `kernel positions · width` values per output row,
    /// zeros where the window hangs over the padding. A window row that lies inside the input
    /// with dilation 1 and all channels is one contiguous copy.
    static func im2col(_ input: UnsafePointer<Float>, geometry g: WindowGeometry, channelOffset: Int, width: Int,
                       rows: Range<Int>, into columns: UnsafeMutablePointer<Float>) {
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (kD, kH, kW) = g.kernel, (sD, sH, sW) = g.strides
        let (dD, dH, dW) = g.dilation, (pD, pH, pW) = g.padBefore
        let channels = g.channels
        let whole = dW == 1 && width == channels
        var row = rows.lowerBound
        var ow = row % outW, rest = row / outW
        var oh = rest % outH
        rest /= outH
        var od = rest % outD
        var b = rest / outD
        var target = columns
        while row < rows.upperBound {
            let image = input + b * inD * inH * inW * channels + channelOffset
            let baseD = od * sD - pD, baseH = oh * sH - pH, baseW = ow * sW - pW
            let inside = baseW >= 0 && baseW + (kW - 1) * dW < inW
            for kd in 0..<kD {
                let id = baseD + kd * dD
                guard id >= 0, id < inD else {
                    target.update(repeating: 0, count: kH * kW * width)
                    target += kH * kW * width
                    continue
                }
                for kh in 0..<kH {
                    let ih = baseH + kh * dH
                    guard ih >= 0, ih < inH else {
                        target.update(repeating: 0, count: kW * width)
                        target += kW * width
                        continue
                    }
                    let line = image + (id * inH + ih) * inW * channels
                    if whole, inside {
                        target.update(from: line + baseW * channels, count: kW * width)
                        target += kW * width
                        continue
                    }
                    for kw in 0..<kW {
                        let iw = baseW + kw * dW
                        if iw >= 0, iw < inW {
                            target.update(from: line + iw * channels, count: width)
                        } else {
                            target.update(repeating: 0, count: width)
                        }
                        target += width
                    }
                }
            }
            row += 1
            ow += 1
            if ow == outW {
                ow = 0
                oh += 1
                if oh == outH {
                    oh = 0
                    od += 1
                    if od == outD {
                        od = 0
                        b += 1
                    }
                }
            }
        }
    }

    /// Depthwise convolution of a channels-last tensor: input channel c meets its own
    /// `multiplier` kernels, giving output channels c·multiplier + j; `kernel` is Keras'
    /// `(k…, channels, multiplier)` array and `bias` seeds the output. With one kernel per
    /// channel, eight channels at a time accumulate in registers over the window's taps.
    /// Output rows are shared between both cores.
    static func depthwiseConvolution(_ x: Tensor, kernel: [Float], multiplier: Int, geometry g: WindowGeometry,
                                     bias: [Float]?) -> [Float] {
        let width = g.channels * multiplier
        let count = g.rows * width
        var output = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Kernels.fill(buffer, rows: g.rows, with: bias, width: width)
            initialized = count
        }
        guard count > 0 else { return output }
        let lines = g.batch * g.output.0 * g.output.1
        let parts = min(lines, 2)
        x.values.withUnsafeBufferPointer { input in
            kernel.withUnsafeBufferPointer { kernel in
                output.withUnsafeMutableBufferPointer { output in
                    let (source, weights, target) = (input.baseAddress!, kernel.baseAddress!, output.baseAddress!)
                    parallelChunks(parts, work: count * g.kernelPositions) { part in
                        depthwiseLines(split(lines, parts: parts, index: part), source, weights, target,
                                       multiplier: multiplier, geometry: g)
                    }
                }
            }
        }
        return output
    }

    /// Output lines (sample, depth, row) `lines` of a depthwise convolution. Per output
    /// position, the window's taps inside the input are listed once; with one kernel per
    /// channel, sixteen channels at a time then sum over the taps in registers and are stored
    /// once.
    private static func depthwiseLines(_ lines: Range<Int>, _ input: UnsafePointer<Float>,
                                       _ kernel: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                       multiplier: Int, geometry g: WindowGeometry) {
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (kD, kH, kW) = g.kernel, (sD, sH, sW) = g.strides
        let (dD, dH, dW) = g.dilation, (pD, pH, pW) = g.padBefore
        let channels = g.channels, width = channels * multiplier
        // Offsets of each tap's pixel in the sample and of its weights in the kernel.
        let pixels = UnsafeMutablePointer<Int>.allocate(capacity: g.kernelPositions)
        let weights = UnsafeMutablePointer<Int>.allocate(capacity: g.kernelPositions)
        defer {
            pixels.deallocate()
            weights.deallocate()
        }
        for line in lines {
            let oh = line % outH, od = (line / outH) % outD, b = line / (outH * outD)
            let image = input + b * inD * inH * inW * channels
            let baseD = od * sD - pD, baseH = oh * sH - pH
            for ow in 0..<outW {
                let out = output + ((line * outW) + ow) * width
                let baseW = ow * sW - pW
                var taps = 0
                for kd in 0..<kD {
                    let id = baseD + kd * dD
                    guard id >= 0, id < inD else { continue }
                    for kh in 0..<kH {
                        let ih = baseH + kh * dH
                        guard ih >= 0, ih < inH else { continue }
                        for kw in 0..<kW {
                            let iw = baseW + kw * dW
                            guard iw >= 0, iw < inW else { continue }
                            pixels[taps] = ((id * inH + ih) * inW + iw) * channels
                            weights[taps] = ((kd * kH + kh) * kW + kw) * width
                            taps += 1
                        }
                    }
                }
                if multiplier == 1 {
                    depthwiseSums(out, image, kernel, pixels, weights, taps: taps, channels: channels)
                } else {
                    for t in 0..<taps {
                        let pixel = image + pixels[t], tap = kernel + weights[t]
                        for c in 0..<channels {
                            let value = pixel[c]
                            for j in 0..<multiplier { out[c * multiplier + j] += value * tap[c * multiplier + j] }
                        }
                    }
                }
            }
        }
    }

    /// `out[c] += Σ_t image[pixels[t] + c] · kernel[weights[t] + c]` for every channel.
    @inline(__always)
    private static func depthwiseSums(_ out: UnsafeMutablePointer<Float>, _ image: UnsafePointer<Float>,
                                      _ kernel: UnsafePointer<Float>, _ pixels: UnsafePointer<Int>,
                                      _ weights: UnsafePointer<Int>, taps: Int, channels: Int) {
        typealias Vector = SIMD8<Float>
        func load(_ pointer: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self) }
        func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
        }
        var c = 0
        while c + 16 <= channels {
            var first = load(out + c), second = load(out + c + 8)
            for t in 0..<taps {
                let pixel = image + pixels[t] + c, tap = kernel + weights[t] + c
                first += load(pixel) * load(tap)
                second += load(pixel + 8) * load(tap + 8)
            }
            store(first, out + c)
            store(second, out + c + 8)
            c += 16
        }
        if c + 8 <= channels {
            var sum = load(out + c)
            for t in 0..<taps { sum += load(image + pixels[t] + c) * load(kernel + weights[t] + c) }
            store(sum, out + c)
            c += 8
        }
        while c < channels {
            var sum = out[c]
            for t in 0..<taps { sum += image[pixels[t] + c] * kernel[weights[t] + c] }
            out[c] = sum
            c += 1
        }
    }

    /// Transposed convolution of a channels-last tensor: every input position's channels times
    /// the kernel, (positions) × (kernel positions · filters) by sgemm for a block of input
    /// positions at a time (about 2 MB, as for `convolution`), then each product added into
    /// the output window it belongs to (col2im). `kernel` is Keras' `(k…, filters, channels)`
    /// array; the geometry's output is the transposed op's output and its input the op's input
    /// (the convolution this one transposes runs the other way).
    static func transposedConvolution(_ x: Tensor, kernel: [Float], filters: Int, geometry g: WindowGeometry,
                                      bias: [Float]?) -> [Float] {
        let rows = g.batch * g.inputPositions
        let width = g.kernelPositions * filters
        let count = g.batch * g.outputPositions * filters
        var output = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Kernels.fill(buffer, rows: g.batch * g.outputPositions, with: bias, width: filters)
            initialized = count
        }
        guard rows > 0, width > 0, g.channels > 0 else { return output }
        let blockRows = min(rows, max(512, (1 << 19) / width))
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * width)
        defer { columns.deallocate() }
        x.values.withUnsafeBufferPointer { input in
            kernel.withUnsafeBufferPointer { kernel in
                output.withUnsafeMutableBufferPointer { output in
                    var start = 0
                    while start < rows {
                        let block = start..<min(start + blockRows, rows)
                        BLAS.gemm(m: block.count, n: width, k: g.channels, input.baseAddress! + start * g.channels,
                                  kernel.baseAddress!, transposeB: true, columns)
                        col2im(columns, rows: block, geometry: g, filters: filters, into: output.baseAddress!)
                        start = block.upperBound
                    }
                }
            }
        }
        return output
    }

    /// Adds each input position's (kernel positions × filters) products into the output
    /// positions its window covers.
    private static func col2im(_ columns: UnsafePointer<Float>, rows: Range<Int>, geometry g: WindowGeometry,
                               filters: Int, into output: UnsafeMutablePointer<Float>) {
        let (inD, inH, inW) = g.input, (outD, outH, outW) = g.output
        let (kD, kH, kW) = g.kernel, (sD, sH, sW) = g.strides
        let (dD, dH, dW) = g.dilation, (pD, pH, pW) = g.padBefore
        var source = columns
        for row in rows {
            let iw = row % inW, ih = (row / inW) % inH, id = (row / (inW * inH)) % inD, b = row / g.inputPositions
            let image = output + b * g.outputPositions * filters
            for kd in 0..<kD {
                let od = id * sD + kd * dD - pD
                for kh in 0..<kH {
                    let oh = ih * sH + kh * dH - pH
                    for kw in 0..<kW {
                        let ow = iw * sW + kw * dW - pW
                        if od >= 0, od < outD, oh >= 0, oh < outH, ow >= 0, ow < outW {
                            add(source, into: image + ((od * outH + oh) * outW + ow) * filters, count: filters)
                        }
                        source += filters
                    }
                }
            }
        }
    }

    /// `target[i] += values[i]` for `count` values, eight at a time.
    @inline(__always)
    static func add(_ values: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let sum = UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            target[i] += values[i]
            i += 1
        }
    }
}
