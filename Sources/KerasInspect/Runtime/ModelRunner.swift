/// The output of one layer call, recorded while a model runs (for finding where two runs part).
public struct LayerOutput: Sendable {
    /// `layer` when the layer has one call with one output, else `layer/node/tensor`: the keys
    /// of the reference `.layers.npz` files that fixtures/generate.py writes.
    public var key: String
    public var layer: String
    public var node: Int
    public var tensorIndex: Int
    public var value: Tensor
}

/// Runs a model's forward pass from its file: every layer's stored arrays are read once and
/// bound to the weights its config implies, then the calls run in dependency order.
///
/// ```swift
/// let runner = try ModelRunner(try ModelFile.open("model.h5"))
/// let outputs = try runner.run([input]).outputs
/// ```
public final class ModelRunner: @unchecked Sendable {
    public let file: ModelFile
    /// Bound weights of every layer, by path (`outer/inner/dense`), in `expectedWeights` order.
    private var weights: [String: [Tensor]] = [:]
    private let theanoKernels: Bool
    /// The compute precision of every layer whose policy is not float32, by path.
    private var precisions: [String: ComputePrecision] = [:]
    /// Layers (by path) whose policy is not float32, with their policy, in graph order: their
    /// results differ from Keras' by that precision's rounding (see `ComputePrecision`).
    public private(set) var reducedPrecisionLayers: [(path: String, policy: String, precision: ComputePrecision)] = []

    /// The `allclose` tolerance that fits the least precise layer of the model: 1e-4 for a
    /// float32 model, wider when a layer computes in float16 or bfloat16.
    public var defaultTolerance: Float {
        (reducedPrecisionLayers.map(\.precision).max() ?? .float32).defaultTolerance
    }

    /// `theanoKernels`: the file was trained with Theano, whose convolution flips its kernels
    /// (true convolution); TensorFlow and kerasinspect correlate. Keras 1 files do not record
    /// their backend, so this is the user's call (Keras 2 flipped only when a file said theano).
    public init(_ file: ModelFile, theanoKernels: Bool = false) throws {
        self.theanoKernels = theanoKernels
        self.file = file
        guard !file.model.structureUnknown else {
            if [.weightsOnlyHDF5, .keras3WeightsHDF5, .keras0WeightsHDF5].contains(file.format) {
                throw RuntimeError("the file holds weights only, no architecture: give the architecture with --config model.json")
            }
            throw RuntimeError("the model's structure lives in Python code (a subclassed model); only its weights can be shown")
        }
        guard file.hasStoredWeights else {
            throw RuntimeError("the file holds no weights (an architecture-only file needs --weights)")
        }
        let reader = try StoredWeightReader(file)
        try readPrecisions(of: file.model, prefix: "")
        try bindWeights(of: file.model, prefix: "", reader: reader)
    }

    private func readPrecisions(of model: Model, prefix: String) throws {
        for layer in model.graphLayers {
            let path = prefix + layer.name
            if let nested = layer.nested {
                try readPrecisions(of: nested, prefix: path + "/")
                continue
            }
            guard layer.className != "InputLayer" else { continue }
            let precision: ComputePrecision?
            do {
                precision = try ComputePrecision.of(policy: layer.dtypePolicy)
            } catch let error as RuntimeError {
                throw RuntimeError("layer '\(path)' (\(layer.className)): \(error.message)")
            }
            if let precision, precision != .float32, let policy = layer.dtypePolicy {
                precisions[path] = precision
                reducedPrecisionLayers.append((path, policy, precision))
            }
        }
    }

    private func bindWeights(of model: Model, prefix: String, reader: StoredWeightReader) throws {
        for layer in model.graphLayers {
            let path = prefix + layer.name
            if let nested = layer.nested {
                try bindWeights(of: nested, prefix: path + "/", reader: reader)
                continue
            }
            guard let kind = layer.kind, let expected = layer.expectedWeights, !expected.isEmpty else { continue }
            if let adapted = try kind.runtimeWeights(stored: layer.storedWeights, expected: expected,
                                                     read: { try reader.values(of: $0) }) {
                weights[path] = adapted
                continue
            }
            let (pairs, _, _) = WeightPairing.pair(expected: expected, stored: layer.storedWeights)
            var bound: [Tensor] = []
            for (spec, storedIndex) in zip(expected, pairs) {
                guard let storedIndex else {
                    throw RuntimeError("layer '\(path)' has no stored array for its weight '\(spec.name)'")
                }
                let stored = layer.storedWeights[storedIndex]
                guard stored.elementCount == spec.elementCount else {
                    throw RuntimeError("layer '\(path)': stored '\(stored.name)' has shape \(stored.shape), the config implies \(spec.shape)")
                }
                bound.append(Tensor(shape: spec.shape, values: try reader.values(of: stored)))
            }
            if theanoKernels, let convolution = kind as? any SpatialKernelLayerKind {
                bound = convolution.flippingSpatialKernels(bound)
            }
            // Keras reads the variables of a half-precision layer in its compute dtype.
            if let precision = precisions[path], precision.rounds, kind.castsWeightsToComputeDType {
                for index in bound.indices { precision.round(&bound[index].values) }
            }
            weights[path] = bound
        }
    }

    /// Runs the model on one tensor per model input (in `model.inputs` order) and returns one
    /// tensor per output; with `recordLayers`, also every top-level layer call's outputs.
    public func run(_ inputs: [Tensor], recordLayers: Bool = false) throws -> (outputs: [Tensor], layers: [LayerOutput]) {
        var recorded: [LayerOutput] = []
        let outputs = try run(file.model, prefix: "", inputs: inputs, record: recordLayers ? { recorded.append($0) } : nil)
        return (outputs, recorded)
    }

    private func run(_ model: Model, prefix: String, inputs: [Tensor],
                     record: ((LayerOutput) -> Void)?) throws -> [Tensor] {
        guard inputs.count == model.inputs.count else {
            throw RuntimeError("'\(model.name)' takes \(model.inputs.count) input(s), got \(inputs.count)")
        }
        for (ref, input) in zip(model.inputs, inputs) {
            if let declared = model.shape(of: ref) { try Self.check(input, fits: declared, name: ref.layer) }
        }
        let order = try ShapeInference.callOrder(model)
        var values: [TensorRef: Tensor] = [:]
        // How many calls still read each tensor: freed after its last reader unless it is an output.
        var remainingReads: [TensorRef: Int] = [:]
        let outputRefs = Set(model.outputs)
        // Only the calls the outputs depend on run: Keras 3 saves the mask computations
        // (NotEqual, Any operations) as calls that nothing reads once masks ride on tensors.
        var needed = Set<NodeRef>()
        var pending = model.outputs.map { NodeRef(layer: $0.layer, node: $0.node) }
        while let next = pending.popLast() {
            guard needed.insert(next).inserted, let layer = model.layer(named: next.layer),
                  layer.nodes.indices.contains(next.node) else { continue }
            let node = layer.nodes[next.node]
            for ref in node.inputs {
                pending.append(NodeRef(layer: ref.layer, node: ref.node))
            }
        }
        for layer in model.graphLayers {
            for (index, node) in layer.nodes.enumerated() where needed.contains(NodeRef(layer: layer.name, node: index)) {
                for ref in node.inputs {
                    remainingReads[ref, default: 0] += 1
                }
            }
        }
        let inputByLayer = Dictionary(zip(model.inputs.map(\.layer), inputs), uniquingKeysWith: { first, _ in first })

        for call in order {
            let layer = model.graphLayers[call.layer]
            let node = layer.nodes[call.node]
            let path = prefix + layer.name
            guard needed.contains(NodeRef(layer: layer.name, node: call.node)) else { continue }
            var callInputs: [Tensor] = []
            var masks: [(target: Int, tensor: Tensor)] = []
            for (position, ref) in node.inputs.enumerated() {
                remainingReads[ref, default: 1] -= 1
                guard let value = values[ref] else { throw RuntimeError("layer '\(path)' reads \(ref), which was never computed") }
                if node.maskInputs.contains(position) {
                    masks.append((node.maskTargets[position] ?? 0, value))
                } else {
                    callInputs.append(value)
                }
                if remainingReads[ref] == 0, !outputRefs.contains(ref) { values[ref] = nil }
            }
            for (target, mask) in masks {
                try Self.apply(mask, to: &callInputs, at: target, path: path)
            }
            let results: [Tensor]
            if let given = inputByLayer[layer.name], node.inputs.isEmpty {
                results = [given]
            } else if node.inputs.isEmpty, call.layer == 0 || layer.className == "InputLayer", model.isSequential {
                // An unbuilt Sequential without an InputLayer: its first layer reads the model input.
                results = try forward(layer, node: node, path: path, inputs: inputs, record: nil)
            } else {
                if !layer.isOperation { try Self.checkKeywords(of: node, layer: layer, path: path) }
                results = try forward(layer, node: node, path: path, inputs: callInputs, record: nil)
            }
            for (tensorIndex, result) in results.enumerated() {
                values[TensorRef(layer.name, call.node, tensorIndex)] = result
            }
            if let record, !layer.isImplicitInput, layer.className != "InputLayer" {
                let single = layer.nodes.count == 1 && results.count == 1
                for (tensorIndex, result) in results.enumerated() {
                    record(LayerOutput(key: single ? layer.name : "\(layer.name)/\(call.node)/\(tensorIndex)",
                                       layer: layer.name, node: call.node, tensorIndex: tensorIndex, value: result))
                }
            }
        }
        return try model.outputs.map { ref in
            guard let value = values[ref] else { throw RuntimeError("output \(ref) of '\(model.name)' was never computed") }
            return value
        }
    }

    private func forward(_ layer: Layer, node: Node, path: String, inputs: [Tensor],
                         record: ((LayerOutput) -> Void)?) throws -> [Tensor] {
        if let nested = layer.nested {
            return try run(nested, prefix: path + "/", inputs: inputs, record: record)
        }
        if layer.isOperation {
            // Every argument is read by the operation kind, which refuses what it does not implement.
            do {
                return [try OperationCatalog.make(layer, call: node).forward(inputs)]
            } catch let error as RuntimeError {
                throw RuntimeError("'\(path)' is a \(layer.className) operation: \(error.message)")
            }
        }
        guard let kind = layer.kind else {
            throw RuntimeError("layer '\(path)' is a \(layer.className), which kerasinspect does not know")
        }
        if !layer.unhonouredConfigKeys.isEmpty {
            let keys = layer.unhonouredConfigKeys.map { "\($0)=\(JSONWriter.string(Self.configValue(layer.config.object, at: $0)))" }
            throw RuntimeError("layer '\(path)' (\(layer.className)) has config \(keys.joined(separator: ", ")), "
                + "which kerasinspect does not understand")
        }
        let precision = precisions[path].flatMap { $0.rounds ? $0 : nil }
        var inputs = inputs
        if let precision, kind.castsInputsToComputeDType {
            for index in inputs.indices { precision.round(&inputs[index].values) }
        }
        do {
            var outputs = try kind.forward(inputs, weights: weights[path] ?? [], keywords: node.keywords)
            if let precision {
                for index in outputs.indices { precision.round(&outputs[index].values) }
            }
            // Keras carries a sequence mask through layers that keep the (batch, time) axes.
            if let mask = inputs.first?.mask, let first = inputs.first, first.rank >= 3 {
                for index in outputs.indices where outputs[index].mask == nil
                    && outputs[index].rank >= 3 && Array(outputs[index].shape.prefix(2)) == Array(first.shape.prefix(2)) {
                    outputs[index].mask = mask
                }
            }
            return outputs
        } catch let error as RuntimeError {
            throw RuntimeError("layer '\(path)' (\(layer.className)): \(error.message)")
        }
    }

    /// A `mask=` tensor passed to a call replaces the mask its input carries, as in Keras: one
    /// flag per (batch, time) position, true where the value is non-zero.
    static func apply(_ mask: Tensor, to inputs: inout [Tensor], at target: Int, path: String) throws {
        guard inputs.indices.contains(target) else {
            throw RuntimeError("layer '\(path)' is passed a mask for input \(target + 1) of \(inputs.count)")
        }
        let input = inputs[target]
        guard mask.rank == 2, input.rank >= 2, mask.shape[0] == input.shape[0], mask.shape[1] == input.shape[1] else {
            throw RuntimeError("layer '\(path)' is passed a mask of shape \(mask.shape) for an input of shape "
                + "\(input.shape); kerasinspect applies (batch, time) masks only")
        }
        inputs[target].mask = mask.values.map { $0 != 0 }
    }

    /// The value at a dotted config path (`layer.units`, `cell.cells[1].units`), looking
    /// through the `{"class_name", "config"}` envelopes of serialised layers and cells.
    static func configValue(_ object: JSONObject, at path: String) -> JSONValue {
        let unwrap = { (value: JSONValue) in value["class_name"] != nil ? (value["config"] ?? .null) : value }
        var value = JSONValue.object(object)
        for component in path.split(separator: ".") {
            var name = component
            var index: Int?
            if let open = component.firstIndex(of: "["), component.hasSuffix("]") {
                name = component[..<open]
                index = Int(component[component.index(after: open)..<component.index(before: component.endIndex)])
            }
            value = unwrap(value[String(name)] ?? .null)
            if let index {
                let list = value.arrayValue ?? []
                value = index < list.count ? unwrap(list[index]) : .null
            }
        }
        return value
    }

    static func checkKeywords(of node: Node, layer: Layer, path: String) throws {
        if let problem = layer.unimplementedKeyword(of: node) {
            throw RuntimeError("layer '\(path)' (\(layer.className)) \(problem)")
        }
    }

    /// The names of a model's outputs as reference `.npz` files key them: the producing layer,
    /// or `layer/node/tensor` when one layer gives several outputs.
    public static func outputNames(of model: Model) -> [String] {
        let counts = Dictionary(model.outputs.map { ($0.layer, 1) }, uniquingKeysWith: +)
        return model.outputs.map { counts[$0.layer] == 1 ? $0.layer : "\($0.layer)/\($0.node)/\($0.tensor)" }
    }

    /// An `.npz` archive's arrays in the order of `names` when it holds every name (how
    /// NumPy users key inputs and outputs), otherwise in archive order.
    public static func arrange(_ arrays: [(name: String, tensor: Tensor)], as names: [String]) -> [Tensor] {
        let byName = Dictionary(arrays.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let named = names.compactMap { byName[$0] }
        return named.count == names.count ? named : arrays.map(\.tensor)
    }

    /// An input must have the declared rank and every declared (non-batch) size.
    static func check(_ input: Tensor, fits declared: TensorShape, name: String) throws {
        let dims = declared.dims
        let fits = dims.count == input.rank && zip(dims, input.shape).dropFirst().allSatisfy { $0.0 == nil || $0.0 == $0.1 }
        guard fits else {
            throw RuntimeError("input '\(name)' expects shape \(declared), got \(TensorShape(input.shape.map { $0 }))")
        }
    }
}
