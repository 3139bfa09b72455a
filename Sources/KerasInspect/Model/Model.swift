/// One tensor in a model graph: output `tensor` of call `node` of layer `layer`
/// (Keras' `name[node][tensor]`). Node indices count the calls that belong to one model.
public struct TensorRef: Hashable, Sendable, CustomStringConvertible {
    public var layer: String
    public var node: Int
    public var tensor: Int

    public init(_ layer: String, _ node: Int, _ tensor: Int) {
        self.layer = layer
        self.node = node
        self.tensor = tensor
    }

    public var description: String { "\(layer)[\(node)][\(tensor)]" }
}

/// One call of a layer: `layer[node]`.
public struct NodeRef: Hashable, Sendable {
    public var layer: String
    public var node: Int
}

/// One call of a layer inside a model.
public struct Node: Sendable {
    /// The tensors passed to the call, in argument order (keyword tensors last).
    public var inputs: [TensorRef]
    /// Shapes of the call's outputs; `nil` when they could not be inferred.
    public var outputShapes: [TensorShape]?
    /// Positions in `inputs` of `mask=` keyword tensors: not values the layer computes with,
    /// but the masks of its other inputs (Keras records the masks it propagates this way,
    /// and a user may pass one of their own).
    public var maskInputs: Set<Int> = []
    /// For each position in `maskInputs`, which of the other inputs (counted without the
    /// masks) that mask belongs to: 0 for `mask=m`, i for the i-th entry of `mask=[…]`.
    public var maskTargets: [Int: Int] = [:]
    /// The call's keyword arguments that hold no tensor (`use_causal_mask`, `training`, …), as
    /// the config stores them; `run` refuses a value it would otherwise ignore.
    public var keywords = JSONObject()
    /// Names of the keyword arguments that hold tensors (other than `mask`), in the order
    /// their tensors appear in `inputs`: `value` / `key` of an attention call, `initial_state`.
    public var tensorKeywords: [String] = []
    /// For operation calls: every argument as the config stores it, constants included
    /// (`x + 3.0` holds the 3.0 here), tensors by their position in `inputs`. `nil` for layer
    /// calls, and for operation calls written in a form kerasinspect cannot place.
    public var arguments: CallArguments?

    public init(inputs: [TensorRef], outputShapes: [TensorShape]? = nil) {
        self.inputs = inputs
        self.outputShapes = outputShapes
    }
}

/// A layer of a model, as configured and as stored.
public struct Layer: Sendable {
    public var name: String
    public var className: String
    public var config: LayerConfig
    /// The catalog's knowledge of this layer; `nil` for classes outside the catalog
    /// (and for nested models, which carry `nested` instead).
    public var kind: (any LayerKind)?
    /// A Sequential or Functional model used as a layer.
    public var nested: Model?
    /// A Keras 3 `keras.ops` call (in the graph and the summary, not in `model.layers`) or a
    /// tf-keras `TFOpLambda` / `SlicingOpLambda` layer (listed in `model.layers` too): what it
    /// computes comes from `OperationCatalog`, not from a layer kind.
    public var isOperation: Bool
    /// Whether `OperationCatalog` read every call of this operation and inferred its shapes;
    /// set by shape inference.
    public var isKnownOperation = false
    /// Hidden from `model.layers`: Sequential's implicit InputLayer.
    public var isImplicitInput: Bool
    /// Calls of this layer that belong to the model, in Keras' node order.
    public var nodes: [Node]
    /// The layer's own `trainable` flag.
    public var trainable: Bool
    /// The dtype policy's name (`float32`, `mixed_float16`, …) when the config states one.
    public var dtypePolicy: String?
    /// The weights the configuration implies (from the catalog), when they could be derived.
    public var expectedWeights: [WeightSpec]?
    /// The arrays the file stores for this layer (empty for config-only files).
    public var storedWeights: [StoredWeight]
    /// Why this layer's shapes or weights could not be derived, if anything went wrong.
    public var problems: [String]
    /// Config keys (dotted paths, non-null values) that its kind neither reads nor declares
    /// inference-neutral: settings kerasinspect does not understand, so `run` refuses the
    /// layer and the summary names them.
    public var unhonouredConfigKeys: [String] = []

    init(name: String, className: String, config: LayerConfig) {
        self.name = name
        self.className = className
        self.config = config
        self.kind = nil
        self.nested = nil
        self.isOperation = false
        self.isImplicitInput = false
        self.nodes = []
        self.trainable = config.trainable
        self.dtypePolicy = nil
        self.expectedWeights = nil
        self.storedWeights = []
        self.problems = []
    }

    /// Whether the catalog (or, for nested models, every sub-layer) accounts for this layer.
    public var isVerified: Bool {
        if let nested { return nested.unverifiedLayerNames.isEmpty }
        if isOperation { return isKnownOperation }
        return kind != nil && expectedWeights != nil
    }

    /// tf-keras wraps each operation in a layer, which `model.layers` lists; Keras 3's
    /// operations are not layers.
    public var isOperationLayer: Bool {
        isOperation && (className == "TFOpLambda" || className == "SlicingOpLambda")
    }

    /// What the operation computes: the Keras 3 class (`Add`, `GetItem`) or the tf-keras
    /// function (`math.multiply`, `__operators__.getitem`); `nil` for layers.
    public var operationName: String? {
        guard isOperation else { return nil }
        return isOperationLayer ? config.object["function"]?.stringValue ?? className : className
    }

    /// The output shapes Keras' summary shows: those of the layer's last call.
    public var displayedOutputShapes: [TensorShape]? {
        nodes.last?.outputShapes ?? nil
    }
}

extension Layer {
    /// A call keyword that changes the computation must be honoured by the layer kind, or the
    /// call is refused: `use_causal_mask=True` ignored would give another answer without a word.
    /// `false` and `null` are Keras' defaults for every such keyword (`training=None`,
    /// `return_attention_scores=False`, …) and leave the inference computation as it is;
    /// `mask` tensors are applied by the runner.
    ///
    /// Why `run` cannot honour this call's keyword arguments (`is called with training=true,
    /// which kerasinspect does not implement`), or `nil` when it can.
    public func unimplementedKeyword(of node: Node) -> String? {
        // An operation's keywords are its arguments, which the operation catalog reads itself.
        guard nested == nil, !isOperation else { return nil }
        let kind = self.kind.map { type(of: $0) }
        let honoured = kind?.callKeywords ?? []
        for (key, value) in node.keywords.entries where !honoured.contains(key) {
            if value.isNull || value.boolValue == false || key == "mask" { continue }
            return "is called with \(key)=\(JSONWriter.string(value)), which kerasinspect does not implement"
        }
        // Tensor keywords become inputs after the positional ones, so they must come in the
        // order the kind reads them.
        let order = kind?.tensorKeywords ?? []
        var next = order.startIndex
        for key in node.tensorKeywords {
            guard let position = order[next...].firstIndex(of: key) else {
                let reason = order.contains(key) ? "out of the order \(order.joined(separator: ", "))" : "which kerasinspect does not implement"
                return "is passed a tensor as \(key)=, \(reason)"
            }
            next = order.index(after: position)
        }
        return nil
    }
}

/// A Keras model: Sequential or Functional, possibly nested inside another.
public struct Model: Sendable {
    public var name: String
    /// `Sequential`, `Functional`, `Model` (Keras 1/2 functional) or a subclass name.
    public var className: String
    /// Every layer of the graph, in topological order (config order when it is one).
    /// Layers are edited in place but never added or removed after parsing, which keeps
    /// `indexByName` valid.
    public internal(set) var graphLayers: [Layer]
    public var inputs: [TensorRef]
    public var outputs: [TensorRef]
    public var trainable: Bool
    /// Tensor shapes that Keras 3 recorded inside `inbound_nodes`, used where we cannot
    /// infer a shape ourselves (operations, layers outside the catalog).
    public var declaredShapes: [TensorRef: TensorShape] = [:]
    /// True for a subclassed model whose config has no layer list: its structure lives in
    /// Python code and only its stored weights can be shown.
    public var structureUnknown = false
    /// Position of each layer in `graphLayers`; names are unique within one model.
    private var indexByName: [String: Int]

    public init(name: String, className: String, graphLayers: [Layer], inputs: [TensorRef], outputs: [TensorRef],
                trainable: Bool) {
        self.name = name
        self.className = className
        self.graphLayers = graphLayers
        self.inputs = inputs
        self.outputs = outputs
        self.trainable = trainable
        self.indexByName = Self.index(graphLayers)
    }

    private static func index(_ layers: [Layer]) -> [String: Int] {
        Dictionary(layers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public var isSequential: Bool { className == "Sequential" }

    /// `model.layers` as Keras lists it: no Sequential implicit input, no Keras 3 operations
    /// (tf-keras' operation layers are layers).
    public var layers: [Layer] {
        graphLayers.filter { !$0.isImplicitInput && (!$0.isOperation || $0.isOperationLayer) }
    }

    /// The rows of Keras' `model.summary()`: a Sequential model's `model.layers`; for a
    /// functional model every call target of the graph in config order, operations included
    /// (Keras 3 walks `model._operations`, whose order its config keeps; tf-keras walks
    /// `model.layers`, which holds its operation layers).
    public var summaryLayers: [Layer] {
        isSequential ? layers : graphLayers.filter { !$0.isImplicitInput }
    }

    public func layer(named name: String) -> Layer? {
        indexByName[name].map { graphLayers[$0] }
    }

    public func index(ofLayer name: String) -> Int? {
        indexByName[name]
    }

    /// The shape of one tensor of the graph, when known.
    public func shape(of ref: TensorRef) -> TensorShape? {
        guard let index = indexByName[ref.layer], ref.node < graphLayers[index].nodes.count,
              let shapes = graphLayers[index].nodes[ref.node].outputShapes, ref.tensor < shapes.count else { return nil }
        return shapes[ref.tensor]
    }

    /// Layers (at any depth) whose class the catalog does not know or whose weights could not be derived.
    public var unverifiedLayerNames: [String] {
        if structureUnknown { return layers.map(\.name) }
        return verifiedLayerNamesExcluded
    }

    private var verifiedLayerNamesExcluded: [String] {
        summaryLayers.flatMap { layer -> [String] in
            if let nested = layer.nested { return nested.unverifiedLayerNames.map { "\(layer.name)/\($0)" } }
            return layer.isVerified ? [] : [layer.name]
        }
    }

    /// The calls that read any output of `layerName` (Keras' outbound nodes).
    public func consumers(of layerName: String) -> [NodeRef] {
        consumersByLayer()[layerName] ?? []
    }

    /// Outbound calls of every layer, built in one pass (asking per layer would be quadratic).
    public func consumersByLayer() -> [String: [NodeRef]] {
        var result: [String: [NodeRef]] = [:]
        for index in graphLayers.indices {
            for nodeIndex in graphLayers[index].nodes.indices {
                var seen = Set<String>()
                for input in graphLayers[index].nodes[nodeIndex].inputs where seen.insert(input.layer).inserted {
                    result[input.layer, default: []].append(NodeRef(layer: graphLayers[index].name, node: nodeIndex))
                }
            }
        }
        return result
    }
}
