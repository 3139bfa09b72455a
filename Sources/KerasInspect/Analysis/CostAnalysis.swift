/// Estimated compute and memory of one forward pass at a given batch size.
///
/// MACs (multiply-accumulates) come from each layer kind's own rule, for every call of the
/// layer; FLOPs are counted as 2 × MACs. Activation memory is the bytes of every layer
/// output kept at once; the estimated total adds the parameters. These are estimates: see
/// `docs/costs.md` for the formulas and what they leave out.
public struct CostReport: Sendable {
    public struct LayerCost: Sendable {
        /// `outer/inner` for layers of nested models.
        public var layer: String
        public var className: String
        /// `nil` when an unknown dimension (other than the batch) prevents counting.
        public var multiplyAccumulates: Int?
        public var activationBytes: Int?
        public var depth: Int
    }

    public var batchSize: Int
    public var layers: [LayerCost] = []
    public var parameterBytes = 0

    public var totalMultiplyAccumulates: Int {
        layers.filter { $0.depth == 0 }.reduce(0) { $0 + ($1.multiplyAccumulates ?? 0) }
    }
    public var totalFLOPs: Int { 2 * totalMultiplyAccumulates }
    public var activationBytes: Int {
        layers.filter { $0.depth == 0 }.reduce(0) { $0 + ($1.activationBytes ?? 0) }
    }
    public var estimatedTotalBytes: Int { parameterBytes + activationBytes }
    /// Layers whose cost could not be counted (unknown sequence lengths, unknown layers).
    public var uncountedLayers: [String] {
        layers.filter { $0.depth == 0 && $0.multiplyAccumulates == nil }.map(\.layer)
    }

    public func cost(of layer: String) -> LayerCost? { layers.first { $0.layer == layer } }
}

public enum CostAnalysis {
    public static func analyze(_ model: Model, batchSize: Int = 1) -> CostReport {
        var report = CostReport(batchSize: batchSize)
        report.parameterBytes = model.parameterCount().totalBytes
        report.layers = costs(of: model, prefix: "", depth: 0, batchSize: batchSize)
        return report
    }

    static func costs(of model: Model, prefix: String, depth: Int, batchSize: Int) -> [CostReport.LayerCost] {
        var result: [CostReport.LayerCost] = []
        for layer in model.summaryLayers {
            let label = prefix + layer.name
            var macs: Int? = 0
            var activation: Int? = 0
            var nestedRows: [CostReport.LayerCost] = []
            if let nested = layer.nested {
                nestedRows = costs(of: nested, prefix: label + "/", depth: depth + 1, batchSize: batchSize)
                let perCall = nestedRows.filter { $0.depth == depth + 1 }
                let callMACs = perCall.contains { $0.multiplyAccumulates == nil } ? nil
                    : perCall.reduce(0) { $0 + $1.multiplyAccumulates! }
                macs = callMACs.map { $0 * max(1, layer.nodes.count) }
            }
            for node in layer.nodes {
                let inputs = node.inputs.map { model.shape(of: $0).map { withBatch($0, batchSize) } }
                let outputs = (node.outputShapes ?? []).map { withBatch($0, batchSize) }
                let outputBytes = outputs.isEmpty ? nil : outputs.reduce(Optional(0)) { total, shape in
                    guard let total, let elements = shape.elementCount else { return nil }
                    return total + elements * activationElementSize(layer)
                }
                activation = activation.flatMap { total in outputBytes.map { total + $0 } }
                guard layer.nested == nil else { continue }
                if layer.className == "InputLayer" { continue }
                // Element-wise and indexing operations multiply-accumulate nothing.
                if layer.isOperation {
                    if !layer.isKnownOperation { macs = nil }
                    continue
                }
                guard let kind = layer.kind, !inputs.contains(where: { $0 == nil }), !outputs.isEmpty else {
                    macs = nil
                    continue
                }
                let callMACs = kind.multiplyAccumulates(inputs: inputs.compactMap { $0 }, outputs: outputs)
                macs = macs.flatMap { total in callMACs.map { total + $0 } }
            }
            if layer.kind == nil, layer.nested == nil, !layer.isOperation, layer.className != "InputLayer" { macs = nil }
            result.append(CostReport.LayerCost(layer: label, className: layer.className, multiplyAccumulates: macs,
                                               activationBytes: activation, depth: depth))
            result += nestedRows
        }
        return result
    }

    static func withBatch(_ shape: TensorShape, _ batchSize: Int) -> TensorShape {
        guard let first = shape.dims.first, first == nil else { return shape }
        var copy = shape
        copy.dims[0] = batchSize
        return copy
    }

    /// Bytes of one activation value: the compute dtype of the layer's policy.
    static func activationElementSize(_ layer: Layer) -> Int {
        switch layer.dtypePolicy {
        case "float16", "bfloat16", "mixed_float16", "mixed_bfloat16": return 2
        case "float64": return 8
        default: return 4
        }
    }
}
