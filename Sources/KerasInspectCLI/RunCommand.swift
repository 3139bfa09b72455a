import Glibc
import KerasInspect

/// `kerasinspect run FILE --input x.npy …`: runs the model in Swift. Prints the outputs, or
/// writes them (`--output`), or compares them with Keras' own (`--expected`, `--expected-npz`)
/// and, given every layer's reference outputs (`--layers-npz`), names the first layer that
/// parts from them. `--repeat N` times the forward pass alone.
enum RunCommand {
    static let spec = ArgumentSpec(
        valueOptions: ["input": nil, "output": nil, "expected": nil, "expected-npz": nil, "layers-npz": nil,
                       "atol": nil, "rtol": nil, "repeat": nil, "format": ["text", "json"]],
        flags: ["theano-kernels"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let givenAtol = try tolerance(parsed, "atol")
            let givenRtol = try tolerance(parsed, "rtol")
            let repeats = try parsed.value("repeat").map { text -> Int in
                guard let count = Int(text), count >= 1, count <= 100_000 else {
                    throw UsageError("--repeat takes a count from 1 to 100000, got '\(text)'")
                }
                return count
            }
            if file.model.structureUnknown, let architecture = ArchitectureLocator.candidates(forWeights: file).first {
                return .failure("\(file.path): the file holds weights only, no architecture; "
                    + "\(architecture) lies beside it and fits its weights: add --config \(architecture)")
            }
            let inputs = try readInputs(parsed, model: file.model)
            let runner = try ModelRunner(file, theanoKernels: parsed.has("theano-kernels"))
            // Outputs of half-precision layers are compared at that precision unless told otherwise.
            let atol = givenAtol ?? runner.defaultTolerance
            let rtol = givenRtol ?? runner.defaultTolerance
            let recordLayers = parsed.value("layers-npz") != nil
            let (outputs, layers) = try runner.run(inputs, recordLayers: recordLayers)
            let names = ModelRunner.outputNames(of: file.model)

            var lines: [String] = []
            var failed = false
            if !runner.reducedPrecisionLayers.isEmpty {
                let listed = runner.reducedPrecisionLayers.prefix(8).map { "\($0.path) (\($0.policy))" }.joined(separator: ", ")
                let more = runner.reducedPrecisionLayers.count > 8 ? " and \(runner.reducedPrecisionLayers.count - 8) more" : ""
                lines.append("precision: \(listed)\(more) do not compute in float32; kerasinspect rounds their inputs, "
                    + "weights and outputs as Keras casts them but computes in float32 (float64 in float32), "
                    + "so results agree to that precision; default tolerance \(format(runner.defaultTolerance))")
            }
            if let path = parsed.value("output") {
                if path.hasSuffix(".npz") {
                    try NPZ.write(Array(zip(names, outputs)).map { (name: $0.0, tensor: $0.1) }, to: path)
                } else {
                    guard outputs.count == 1 else {
                        throw UsageError("the model has \(outputs.count) outputs: write them with --output FILE.npz")
                    }
                    try NPY.write(outputs[0], to: path)
                }
                lines.append("wrote \(outputs.count) output(s) to \(path)")
            }
            let expected = try readExpected(parsed, names: names)
            if !expected.isEmpty {
                guard expected.count == outputs.count else {
                    throw UsageError("the model has \(outputs.count) outputs, the reference holds \(expected.count)")
                }
                lines.append(pad(["Output", "Shape", "Max abs err", "Max rel err", "Mismatches", ""]))
                for (index, (output, reference)) in zip(outputs, expected).enumerated() {
                    let comparison = OutputComparison(name: names[index], actual: output, expected: reference, atol: atol, rtol: rtol)
                    failed = failed || !comparison.matches
                    lines.append(row(comparison, shape: output.shape))
                }
            } else if parsed.value("output") == nil {
                for (name, output) in zip(names, outputs) {
                    let first = output.values.prefix(8).map(format).joined(separator: ", ")
                    lines.append("\(name): shape \(shapeText(output.shape)) [\(first)\(output.count > 8 ? ", …" : "")]")
                }
            }
            if let path = parsed.value("layers-npz") {
                let reference = Dictionary(try NPZ.read(path: path).map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
                let compared = layers.filter { reference[$0.key] != nil }.count
                if let divergence = OutputComparison.firstDivergence(layers, reference: reference, atol: atol, rtol: rtol) {
                    failed = true
                    let detail = divergence.shapeMismatch
                        ?? "max abs err \(format(divergence.maxAbsoluteError)), \(divergence.mismatches) of \(divergence.count) values beyond tolerance"
                    lines.append("first diverging layer: \(divergence.name) (\(detail))")
                } else {
                    lines.append("all \(compared) layer outputs with a reference match (of \(layers.count) computed)")
                }
            }
            if let repeats {
                var times: [Double] = []
                for _ in 0..<repeats {
                    let start = monotonicSeconds()
                    _ = try runner.run(inputs)
                    times.append(monotonicSeconds() - start)
                }
                times.sort()
                let median = times[times.count / 2]
                lines.append("forward pass: median \(format(Float(median * 1000))) ms over \(repeats) run(s), batch \(inputs.first?.batch ?? 0)")
            }
            return CommandResult(exitCode: failed ? ExitCode.problemsFound : ExitCode.success,
                                 standardOutput: lines.map { $0 + "\n" }.joined())
        }
    }


    static func readInputs(_ parsed: ParsedArguments, model: Model) throws -> [Tensor] {
        let paths = parsed.values("input")
        guard !paths.isEmpty else { throw UsageError("give the model's input with --input FILE.npy (one per input) or --input FILE.npz") }
        var inputs: [Tensor] = []
        for path in paths {
            if path.hasSuffix(".npz") {
                let arrays = try NPZ.read(path: path)
                inputs += paths.count == 1 ? ModelRunner.arrange(arrays, as: model.inputs.map(\.layer)) : arrays.map(\.tensor)
            } else {
                inputs.append(try NPY.read(path: path))
            }
        }
        guard inputs.count == model.inputs.count else {
            throw UsageError("the model takes \(model.inputs.count) input(s) (\(model.inputs.map(\.layer).joined(separator: ", "))), got \(inputs.count)")
        }
        return inputs
    }

    static func readExpected(_ parsed: ParsedArguments, names: [String]) throws -> [Tensor] {
        // `--expected x.npz` means what `--expected-npz x.npz` does: one archive, every output.
        var expected: [Tensor] = []
        for path in parsed.values("expected") {
            if path.hasSuffix(".npz") {
                expected += ModelRunner.arrange(try NPZ.read(path: path), as: names)
            } else {
                expected.append(try NPY.read(path: path))
            }
        }
        if let path = parsed.value("expected-npz") {
            expected += ModelRunner.arrange(try NPZ.read(path: path), as: names)
        }
        return expected
    }

    static func tolerance(_ parsed: ParsedArguments, _ name: String) throws -> Float? {
        guard let text = parsed.value(name) else { return nil }
        guard let value = Float(text), value >= 0, value.isFinite else {
            throw UsageError("--\(name) takes a non-negative number, got '\(text)'")
        }
        return value
    }

    static func row(_ comparison: OutputComparison, shape: [Int]) -> String {
        if let mismatch = comparison.shapeMismatch {
            return pad([comparison.name, mismatch, "-", "-", "-", "FAIL"])
        }
        return pad([comparison.name, shapeText(shape), format(comparison.maxAbsoluteError), format(comparison.maxRelativeError),
                    "\(comparison.mismatches) / \(comparison.count)", comparison.matches ? "ok" : "FAIL"])
    }

    static func pad(_ cells: [String]) -> String {
        let widths = [24, 18, 13, 13, 16, 4]
        return zip(cells, widths).map { cell, width in
            cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined().trimmingTrailingSpaces()
    }

    static func shapeText(_ shape: [Int]) -> String { TensorShape(shape.map { $0 }).description }

    /// Short scientific or fixed notation for errors and sample values.
    static func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e5 {
            return SummaryTextRenderer.fixed(Double(value), decimals: magnitude >= 100 ? 1 : 5)
        }
        return WeightsCommand.scientific(Double(value))
    }

    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
