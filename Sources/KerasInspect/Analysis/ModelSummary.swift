/// What `model.summary()` shows, computed from a `ModelFile`: one row per entry of
/// `Model.summaryLayers`, operations included (nested models' layers indented under them on request), the totals,
/// and what we could not verify.
public struct ModelSummary: Sendable {
    public struct Row: Sendable {
        /// 0 for the model's own layers, 1 for layers of a nested model, …
        public var depth: Int
        public var name: String
        public var className: String
        /// Output shapes of the layer's last call; `nil` when unknown.
        public var outputShapes: [TensorShape]?
        public var parameters: ParameterCount
        /// Inputs of every call, `name[node][tensor]`.
        public var connectedTo: [TensorRef]
        /// False for layers outside the catalog: their count comes from the stored arrays.
        public var verified: Bool
        public var trainable: Bool
        /// Shapes of the tensors passed to the layer's last call.
        public var inputShapes: [TensorShape]?
        public var kernelSize: [Int]?
        public var multiplyAccumulates: Int?
    }

    public var formatLine: String
    public var modelName: String
    public var modelClassName: String
    /// Keras prints three columns (no `Connected to`) for chains of single-input layers.
    public var isSequentialLike: Bool
    public var rows: [Row]
    public var totals: ParameterCount
    /// Elements and bytes of stored optimizer state; never part of `totals`.
    public var optimizerParameters: Int?
    public var optimizerBytes: Int?
    public var warnings: [String]
    public var costs: CostReport
    /// False for weights-only files and subclassed models: no graph to estimate over.
    public var hasArchitecture: Bool

    public init(_ file: ModelFile, expandNested: Bool = false, batchSize: Int = 1) {
        let model = file.model
        formatLine = file.formatDescription
        hasArchitecture = !model.structureUnknown
        modelName = model.name
        modelClassName = model.className
        isSequentialLike = Self.isSequentialLike(model)
        let costs = CostAnalysis.analyze(model, batchSize: batchSize)
        self.costs = costs
        var rows = Self.rows(of: model, depth: 0, expandNested: expandNested, enclosingTrainable: true)
        // Rows and cost entries are produced by the same walk over model.summaryLayers.
        let costByPosition = costs.layers.filter { expandNested || $0.depth == 0 }
        for index in rows.indices where index < costByPosition.count {
            rows[index].multiplyAccumulates = costByPosition[index].multiplyAccumulates
        }
        self.rows = rows
        totals = model.parameterCount()
        optimizerParameters = file.optimizerParameterCount
        optimizerBytes = file.optimizerWeights.isEmpty ? nil
            : file.optimizerWeights.reduce(0) { $0 + $1.elementCount * $1.bytesPerElement }
        warnings = Self.warnings(for: file) + Linter.lint(file).map { "lint \($0)" }
    }

    private static func rows(of model: Model, depth: Int, expandNested: Bool, enclosingTrainable: Bool) -> [Row] {
        var rows: [Row] = []
        let trainable = enclosingTrainable && model.trainable
        for layer in model.summaryLayers {
            rows.append(Row(
                depth: depth,
                name: layer.name,
                className: layer.className,
                outputShapes: layer.displayedOutputShapes,
                parameters: layer.parameterCount(enclosingTrainable: trainable),
                connectedTo: layer.nodes.flatMap(\.inputs),
                verified: layer.isVerified,
                trainable: trainable && layer.trainable,
                inputShapes: layer.nodes.last.map { node in node.inputs.compactMap { model.shape(of: $0) } },
                kernelSize: layer.config.has("kernel_size") ? try? layer.config.ints("kernel_size", count: max(1, Self.spatialRank(layer))) : nil,
                multiplyAccumulates: nil))
            if expandNested, let nested = layer.nested {
                rows += Self.rows(of: nested, depth: depth + 1, expandNested: true,
                                  enclosingTrainable: trainable && layer.trainable)
            }
        }
        return rows
    }

    /// 1, 2 or 3 for convolution-like layers, from the class name (`Conv2D` → 2).
    static func spatialRank(_ layer: Layer) -> Int {
        for rank in 1...3 where layer.className.contains("\(rank)D") { return rank }
        return 1
    }

    /// Keras' rule: a Sequential model, or a graph where every layer is called once on at
    /// most one tensor and no tensor feeds two calls.
    static func isSequentialLike(_ model: Model) -> Bool {
        if model.isSequential { return true }
        guard model.inputs.count <= 1, model.outputs.count <= 1 else { return false }
        var consumed = Set<TensorRef>()
        for layer in model.graphLayers {
            if layer.nodes.count > 1 { return false }
            for node in layer.nodes {
                if node.inputs.count > 1 { return false }
                for input in node.inputs where !consumed.insert(input).inserted { return false }
            }
        }
        return true
    }

    /// Problems worth a line under the totals: layers we could not account for, and stored
    /// arrays whose size disagrees with the configuration.
    static func warnings(for file: ModelFile) -> [String] {
        var warnings: [String] = []
        collectWarnings(in: file.model, prefix: "", checkStored: file.hasStoredWeights, into: &warnings)
        let unverified = file.model.unverifiedLayerNames
        if file.model.structureUnknown {
            warnings.append("the file holds no architecture (weights only, or a subclassed model): layers and parameters come from the stored arrays; classes are guessed from Keras' names; shapes and connections are unknown")
        } else if !unverified.isEmpty {
            warnings.append("unverified layers (not derived from the config; params taken from the stored arrays, shape unknown): "
                + unverified.joined(separator: ", "))
        }
        let unhonoured = unhonouredKeys(in: file.model)
        if !unhonoured.isEmpty {
            warnings.append("config keys kerasinspect does not understand (shapes and params may differ from Keras'; `run` refuses these layers): "
                + unhonoured.joined(separator: ", "))
        }
        let keywords = unimplementedKeywords(in: file.model)
        if !keywords.isEmpty {
            warnings.append("calls `run` refuses (keyword arguments kerasinspect does not implement): "
                + keywords.joined(separator: "; "))
        }
        let policies = otherPrecisionLayers(in: file.model)
        if !policies.isEmpty {
            warnings.append("layers computing in another dtype than float32 (`run` rounds where Keras casts and compares at that precision): "
                + policies.joined(separator: ", "))
        }
        return warnings
    }

    /// What `describe` says of each layer (given its path), at every depth of nested models.
    static func describeLayers(in model: Model, prefix: String = "", _ describe: (Layer, String) -> [String]) -> [String] {
        model.graphLayers.flatMap { layer -> [String] in
            if let nested = layer.nested { return describeLayers(in: nested, prefix: prefix + layer.name + "/", describe) }
            return describe(layer, prefix + layer.name)
        }
    }

    /// `path (Class) key, …` of every layer whose config holds keys its kind neither reads nor
    /// declares inference-neutral.
    static func unhonouredKeys(in model: Model) -> [String] {
        describeLayers(in: model) { layer, path in
            layer.unhonouredConfigKeys.isEmpty ? []
                : ["\(path) (\(layer.className)) \(layer.unhonouredConfigKeys.joined(separator: ", "))"]
        }
    }

    /// `path (Class) is called with key=value, …` for every call whose keyword arguments `run`
    /// cannot honour.
    static func unimplementedKeywords(in model: Model) -> [String] {
        describeLayers(in: model) { layer, path in
            Array(Set(layer.nodes.compactMap { layer.unimplementedKeyword(of: $0) })).sorted()
                .map { "\(path) (\(layer.className)) \($0)" }
        }
    }

    /// `path (policy)` of every layer whose dtype policy computes in float16, bfloat16,
    /// float64 or a quantized type (operations, outside `model.layers`, aside).
    static func otherPrecisionLayers(in model: Model) -> [String] {
        describeLayers(in: model) { layer, path in
            guard !layer.isOperation, layer.className != "InputLayer", let policy = layer.dtypePolicy,
                  policy.contains("float16") || policy.contains("float64") || policy.contains("_from_") || policy == "half"
            else { return [] }
            return ["\(path) (\(policy))"]
        }
    }

    private static func collectWarnings(in model: Model, prefix: String, checkStored: Bool, into warnings: inout [String]) {
        for layer in model.summaryLayers {
            let label = prefix + layer.name
            for problem in layer.problems { warnings.append("\(label) (\(layer.className)): \(problem)") }
            if let nested = layer.nested {
                collectWarnings(in: nested, prefix: label + "/", checkStored: checkStored, into: &warnings)
                continue
            }
            guard checkStored, prefix.isEmpty, let expected = layer.expectedWeights else { continue }
            let expectedCount = expected.reduce(0) { $0 + $1.elementCount }
            let storedCount = layer.storedWeights.reduce(0) { $0 + $1.elementCount }
            if expectedCount != storedCount {
                warnings.append("\(label) (\(layer.className)): the config implies \(expectedCount) parameters but the file stores \(storedCount)")
            }
        }
    }
}
