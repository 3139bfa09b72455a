/// `EinsumDense`: `einsum(equation, input, kernel) + bias`, a Dense layer whose kernel can
/// have any rank. `equation` is `X,Y->Z` (input, kernel, output subscripts), optionally with
/// `...` at the start of X and Z or at the end of them for axes the kernel does not touch;
/// `output_shape` gives the output without its batch axis (and without elided axes).
///
/// Kernel: one dimension per letter of Y, taken from the output when the letter is in Z,
/// otherwise from the input. Bias (`bias_axes`, letters of Z): the output's dims from the
/// first bias letter on, 1 where a letter is not a bias axis (plus 1 per axis elided on
/// the right), so that it broadcasts. Params: their products, e.g. `abc,cde->abde` with
/// output (None, 2, 3) on (None, 5, 8): kernel (8, 2, 3) + bias `de` (2, 3) = 54.
///
/// Keras 3 reports the output shape straight from `output_shape` (`_analyze_einsum_string`):
/// a `None` there stays unknown even when the input knows it, and dimensions elided on the
/// left come out in reverse order. tf-keras traces the einsum and reports its true shape.
/// Keras 3's `lora_rank` r freezes the kernel and adds trainable `lora_kernel_a`
/// (kernel dims but the last, r) and `lora_kernel_b` (r, last kernel dim).
public struct EinsumDenseLayer: SingleInputLayerKind {
    public static let classNames = ["EinsumDense"]

    public let equation: String
    let inputSpec: [Character]
    let kernelSpec: [Character]
    let outputSpec: [Character]
    /// Where `...` stands: before the letters (`...b,bc->...c`), after them, or nowhere.
    let ellipsisOnLeft: Bool
    /// The configured output shape without the batch axis.
    let partialOutput: [Int?]
    let biasAxes: [Character]?
    let loraRank: Int?
    /// LoRA adds `lora_alpha / lora_rank · a · b` to the frozen kernel (alpha defaults to the rank).
    let loraAlpha: Float
    let keras3Shapes: Bool
    let activation: Activation

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        equation = config.string("equation", default: "")
        let operands = equation.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        let sides = operands.count == 2 ? operands[1].split(separator: ">", maxSplits: 1, omittingEmptySubsequences: false) : []
        guard sides.count == 2, sides[0].hasSuffix("-") else {
            throw LayerConfigError("equation '\(equation)' is not of the form X,Y->Z")
        }
        var input = String(operands[0])
        let kernel = String(sides[0].dropLast())
        var output = String(sides[1])
        let letters = { (text: String) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isLetter } }
        if input.hasPrefix("..."), output.hasPrefix("...") {
            input.removeFirst(3)
            output.removeFirst(3)
            ellipsisOnLeft = true
        } else if input.hasSuffix("..."), output.hasSuffix("..."), input.count >= 5 {
            input.removeLast(3)
            output.removeLast(3)
            ellipsisOnLeft = false
        } else {
            ellipsisOnLeft = false
        }
        guard letters(input), letters(kernel), letters(output) else {
            throw LayerConfigError("equation '\(equation)' is not X,Y->Z, ...X,Y->...Z or X...,Y->Z... in letters")
        }
        inputSpec = Array(input)
        kernelSpec = Array(kernel)
        outputSpec = Array(output)
        if let single = config["output_shape"]?.intValue {
            partialOutput = [single]
        } else if let shape = config.shape("output_shape") {
            partialOutput = shape
        } else {
            throw LayerConfigError("output_shape is missing or not a shape")
        }
        biasAxes = config.optionalString("bias_axes").map(Array.init)
        loraRank = config.optionalInt("lora_rank")
        loraAlpha = Float(config.double("lora_alpha", default: Double(loraRank ?? 1)))
        activation = config.activationFunction("activation")
        keras3Shapes = config.isKeras3
        for letter in outputSpec where !inputSpec.contains(letter) && !kernelSpec.contains(letter) {
            throw LayerConfigError("output letter '\(letter)' of '\(equation)' is in neither the input nor the kernel")
        }
        for letter in biasAxes ?? [] where !outputSpec.contains(letter) {
            throw LayerConfigError("bias axis '\(letter)' is not an output letter of '\(equation)'")
        }
    }

    /// Everything the equation says for one input: the output as Keras 3 computes it from
    /// `output_shape`, where each letter sits in that output and in the input, and how many
    /// input axes the ellipsis covers.
    private struct Analysis {
        var configuredOutput: [Int?]
        var outputIndex: [Character: Int]
        var inputIndex: [Character: Int]
        var elided: Int
    }

    private func analyse(_ input: TensorShape) throws -> Analysis {
        let elided = input.rank - inputSpec.count
        guard elided >= 0, input.rank > 0 else {
            throw LayerConfigError("input \(input) has fewer axes than '\(equation)' names")
        }
        var output = [input.dims[0]] + partialOutput
        if elided > 0 && ellipsisOnLeft {
            // Keras inserts each elided axis right after the batch axis in turn, which
            // reverses them; the shape it reports does the same.
            for axis in 1..<elided { output.insert(input.dims[axis], at: 1) }
        } else if elided > 0 {
            output += input.dims.suffix(elided)
        }
        let offset = ellipsisOnLeft ? elided : 0
        let inputIndex = Dictionary(inputSpec.enumerated().map { ($1, $0 + offset) }, uniquingKeysWith: { first, _ in first })
        let outputIndex = Dictionary(outputSpec.enumerated().map { ($1, $0 + offset) }, uniquingKeysWith: { first, _ in first })
        guard outputIndex.values.allSatisfy({ $0 < output.count }) else {
            throw LayerConfigError("output_shape \(TensorShape(partialOutput)) is too short for '\(equation)'")
        }
        for (letter, index) in inputIndex {
            if let outputPosition = outputIndex[letter], let wanted = output[outputPosition], let actual = input.dims[index],
               wanted != actual {
                throw LayerConfigError("'\(letter)' is \(actual) in input \(input) but \(wanted) in output_shape")
            }
        }
        return Analysis(configuredOutput: output, outputIndex: outputIndex, inputIndex: inputIndex, elided: elided)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let analysis = try analyse(input)
        if keras3Shapes { return TensorShape(analysis.configuredOutput) }
        // The einsum itself: input letters keep the input's size, kernel letters the
        // configured one; elided axes pass through in order.
        let letters = outputSpec.map { letter -> Int? in
            if let index = analysis.inputIndex[letter] { return input.dims[index] }
            return analysis.outputIndex[letter].flatMap { analysis.configuredOutput[$0] }
        }
        if ellipsisOnLeft { return TensorShape(Array(input.dims.prefix(analysis.elided)) + letters) }
        return TensorShape(letters + input.dims.suffix(analysis.elided))
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let analysis = try analyse(input)
        let kernel = try kernelSpec.map { letter -> Int in
            let size: Int??
            if let index = analysis.outputIndex[letter] {
                size = analysis.configuredOutput[index]
            } else if let index = analysis.inputIndex[letter] {
                size = input.dims[index]
            } else {
                throw LayerConfigError("kernel letter '\(letter)' of '\(equation)' is in neither the input nor the output")
            }
            guard let known = size ?? nil else {
                throw LayerConfigError("kernel axis '\(letter)' of '\(equation)' has an unknown size on input \(input)")
            }
            return known
        }
        var weights = [WeightSpec("kernel", kernel, trainable: loraRank == nil)]
        if let biasAxes, let first = outputSpec.firstIndex(where: biasAxes.contains) {
            var bias = try outputSpec[first...].map { letter -> Int in
                guard biasAxes.contains(letter) else { return 1 }
                guard let index = analysis.outputIndex[letter], let size = analysis.configuredOutput[index] else {
                    throw LayerConfigError("bias axis '\(letter)' has an unknown size")
                }
                return size
            }
            if !ellipsisOnLeft { bias += Array(repeating: 1, count: analysis.elided) }
            weights.append(WeightSpec("bias", bias))
        }
        if let loraRank, let last = kernel.last {
            weights.append(WeightSpec("lora_kernel_a", kernel.dropLast() + [loraRank]))
            weights.append(WeightSpec("lora_kernel_b", [loraRank, last]))
        }
        return weights
    }

    /// Each output value sums over the kernel letters that are not output letters.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let outputElements = outputs.first?.elementCount,
              let kernel = try? expectedWeights(for: input).first?.shape else { return nil }
        let summed = zip(kernelSpec, kernel).filter { !outputSpec.contains($0.0) }.map(\.1).reduce(1, *)
        return outputElements * summed
    }

    /// TensorFlow's `einsum(equation, input, kernel)`, then the bias (broadcast from the right,
    /// as Keras adds it) and the activation. The einsum is one sgemm per value of the letters
    /// shared by input, kernel and output: the input is transposed to (shared, free, summed),
    /// the kernel to (shared, summed, free), and the product back to the output's order.
    /// Axes the ellipsis covers pass through as free input axes, in order (TensorFlow's
    /// result, whatever order Keras 3 reports their sizes in).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard var kernel = weights.first else { throw RuntimeError("missing kernel") }
        let elided = input.rank - inputSpec.count
        guard elided >= 0, kernel.rank == kernelSpec.count else {
            throw RuntimeError("input \(input.shape) or kernel \(kernel.shape) does not fit '\(equation)'")
        }
        if let loraRank, weights.count >= 2 {
            // The LoRA pair follows the kernel and the optional bias.
            let a = weights[weights.count - 2], b = weights[weights.count - 1]
            let last = kernel.lastDimension, rows = kernel.count / max(last, 1)
            let delta = BLAS.multiply(a.values, b.values, m: rows, n: last, k: loraRank)
            let factor = loraAlpha / Float(loraRank)
            for i in kernel.values.indices { kernel.values[i] += factor * delta[i] }
        }
        // Letters for the elided axes: characters no equation uses.
        let ellipsis = (0..<elided).map { Character(UnicodeScalar(0x2460 + $0)!) }
        let inputLetters = ellipsisOnLeft ? ellipsis + inputSpec : inputSpec + ellipsis
        let outputLetters = ellipsisOnLeft ? ellipsis + outputSpec : outputSpec + ellipsis
        var size: [Character: Int] = [:]
        for (letter, dim) in zip(inputLetters, input.shape) {
            if let known = size[letter], known != dim { throw RuntimeError("'\(letter)' has two sizes in \(input.shape)") }
            size[letter] = dim
        }
        for (letter, dim) in zip(kernelSpec, kernel.shape) {
            if let known = size[letter], known != dim {
                throw RuntimeError("'\(letter)' is \(known) in the input but \(dim) in kernel \(kernel.shape)")
            }
            size[letter] = dim
        }
        guard outputLetters.allSatisfy({ size[$0] != nil }) else { throw RuntimeError("'\(equation)' names unknown output letters") }
        let inputSet = Set(inputLetters), kernelSet = Set(kernelSpec), outputSet = Set(outputLetters)
        let shared = outputLetters.filter { inputSet.contains($0) && kernelSet.contains($0) }
        let freeInput = outputLetters.filter { inputSet.contains($0) && !kernelSet.contains($0) }
        let freeKernel = outputLetters.filter { kernelSet.contains($0) && !inputSet.contains($0) }
        var summed: [Character] = []
        for letter in inputLetters where kernelSet.contains(letter) && !outputSet.contains(letter) && !summed.contains(letter) {
            summed.append(letter)
        }
        // Letters only one operand has and the output lacks are summed over that operand first.
        let x = try Self.arrange(input, letters: inputLetters, keep: Set(shared + freeInput + summed), order: shared + freeInput + summed)
        let w = try Self.arrange(kernel, letters: kernelSpec, keep: Set(shared + summed + freeKernel), order: shared + summed + freeKernel)
        let product = { (letters: [Character]) in letters.reduce(1) { $0 * size[$1]! } }
        let (s, m, k, n) = (product(shared), product(freeInput), product(summed), product(freeKernel))
        var values = [Float](repeating: 0, count: s * m * n)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                values.withUnsafeMutableBufferPointer { out in
                    for block in 0..<s {
                        BLAS.gemm(m: m, n: n, k: k, x.baseAddress! + block * m * k, w.baseAddress! + block * k * n,
                                  out.baseAddress! + block * m * n)
                    }
                }
            }
        }
        let computed = shared + freeInput + freeKernel
        var result = Kernels.transpose(Tensor(shape: computed.map { size[$0]! }, values: values),
                                       permutation: outputLetters.map { computed.firstIndex(of: $0)! })
        if weights.count > (loraRank == nil ? 1 : 3), biasAxes != nil {
            let bias = weights[1]
            let padded = Array(repeating: 1, count: result.rank - bias.rank) + bias.shape
            guard bias.rank <= result.rank, zip(padded, result.shape).allSatisfy({ $0.0 == 1 || $0.0 == $0.1 }) else {
                throw RuntimeError("bias \(bias.shape) does not broadcast to the output \(result.shape)")
            }
            let index = Kernels.broadcastIndices(from: padded, to: result.shape)
            result.values.withUnsafeMutableBufferPointer { out in
                bias.values.withUnsafeBufferPointer { bias in
                    for i in out.indices { out[i] += bias[index[i]] }
                }
            }
        }
        try activation.apply(&result)
        return result
    }

    /// The operand's values with its axes in `order` (each letter once), after summing away
    /// axes whose letters are not kept and taking the diagonal of repeated letters.
    private static func arrange(_ tensor: Tensor, letters: [Character], keep: Set<Character>,
                                order: [Character]) throws -> [Float] {
        let sizes = order.map { letter in tensor.shape[letters.firstIndex(of: letter)!] }
        var strides = [Int](repeating: 0, count: order.count)
        let tensorStrides = Kernels.strides(tensor.shape)
        // Every axis carrying a kept letter moves with that letter's output index (repeated
        // letters take the diagonal); other axes are summed.
        for (axis, letter) in letters.enumerated() where keep.contains(letter) {
            strides[order.firstIndex(of: letter)!] += tensorStrides[axis]
        }
        let summedAxes = letters.indices.filter { !keep.contains(letters[$0]) }
        let summedSizes = summedAxes.map { tensor.shape[$0] }, summedStrides = summedAxes.map { tensorStrides[$0] }
        let summedCount = summedSizes.reduce(1, *)
        let count = sizes.reduce(1, *)
        if summedAxes.isEmpty, order.count == letters.count, strides == Kernels.strides(sizes) { return tensor.values }
        var output = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: order.count)
        tensor.values.withUnsafeBufferPointer { values in
            for position in 0..<count {
                var offset = 0
                for axis in 0..<order.count { offset += index[axis] * strides[axis] }
                var sum: Float = 0
                for extra in 0..<summedCount {
                    var rest = extra, extraOffset = 0
                    for axis in stride(from: summedSizes.count - 1, through: 0, by: -1) {
                        extraOffset += (rest % summedSizes[axis]) * summedStrides[axis]
                        rest /= summedSizes[axis]
                    }
                    sum += values[offset + extraOffset]
                }
                output[position] = sum
                var axis = order.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < sizes[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return output
    }

    public static let explanation = """
        EinsumDense is a Dense layer written as an einsum equation: its kernel has one axis per \
        kernel letter, sized from the input or the output, and its optional bias covers the \
        output axes named in bias_axes.
        """
}
