/// Turns a serialised Keras model (`{"class_name", "config"}` from `model_config`,
/// `to_json()` or `config.json`) into a `Model` graph, for every Keras generation:
/// bare-list and dict Sequential configs, Keras 1/2 list-style inbound nodes, Keras 3
/// `{"args", "kwargs"}` nodes, nested models at any depth and shared layers.
///
/// Shapes and weights are filled in afterwards by `ShapeInference`.
struct ModelConfigParser {
    /// Deeper nesting of models than this is treated as hostile input.
    static let maximumModelDepth = 64

    let catalog: LayerCatalog

    func parseModel(_ serialized: JSONValue, depth: Int = 0) throws -> Model {
        guard depth < Self.maximumModelDepth else {
            throw KerasInspectError(.invalidConfig, "models nested more than \(Self.maximumModelDepth) levels deep")
        }
        guard let object = serialized.objectValue else {
            throw KerasInspectError(.invalidConfig, "model config is not a JSON object")
        }
        let className = object["class_name"]?.stringValue ?? "Model"
        let config = object["config"] ?? .null
        if let list = config.arrayValue {
            // Keras 1 and Keras 2.0–2.2.2 write Sequential's config as a bare list of layers.
            return try parseSequential(name: "sequential", entries: list, buildInputShape: nil,
                                       trainable: true, depth: depth)
        }
        guard let configObject = config.objectValue else {
            throw KerasInspectError(.invalidConfig, "model '\(className)' has no config object")
        }
        let name = configObject["name"]?.stringValue ?? className.lowercased()
        let trainable = configObject["trainable"]?.boolValue ?? true
        guard let entries = configObject["layers"]?.arrayValue else {
            // A subclassed model: its structure is Python code. Its weights can still be shown.
            var model = Model(name: name, className: className, graphLayers: [], inputs: [], outputs: [], trainable: trainable)
            model.structureUnknown = true
            return model
        }
        if className == "Sequential" || configObject["input_layers"] == nil && configObject["output_layers"] == nil {
            let buildShape = configObject["build_input_shape"].flatMap(LayerConfig.shapeList)
                ?? object["build_config"]?["input_shape"].flatMap(LayerConfig.shapeList)
            var model = try parseSequential(name: name, entries: entries, buildInputShape: buildShape,
                                            trainable: trainable, depth: depth)
            model.className = className
            return model
        }
        return try parseFunctional(name: name, className: className, config: configObject,
                                   entries: entries, trainable: trainable, depth: depth)
    }

    // MARK: Layers

    private func parseLayer(_ entry: JSONValue, depth: Int) throws -> Layer {
        guard let serializedClassName = entry["class_name"]?.stringValue else {
            throw KerasInspectError(.invalidConfig, "a layer entry has no class_name")
        }
        let className = LayerConfig.pythonClassName(serializedClassName)
        let configObject = entry["config"]?.objectValue ?? JSONObject()
        guard let name = entry["name"]?.stringValue ?? configObject["name"]?.stringValue else {
            throw KerasInspectError(.invalidConfig, "a \(className) layer has no name")
        }
        let module = entry["module"]?.stringValue ?? ""
        let config = LayerConfig(className: className, object: configObject, module: module.isEmpty ? nil : module)
        var layer = Layer(name: name, className: className, config: config)
        layer.dtypePolicy = Self.dtypePolicyName(configObject["dtype"])
        layer.isOperation = module.hasPrefix("keras.src.ops") || module.hasPrefix("keras.ops")
            || ["TFOpLambda", "SlicingOpLambda"].contains(className)
            || Self.isUnlabelledKeras3Operation(entry, config: configObject)

        if Self.isModelEntry(className: className, config: configObject) {
            layer.nested = try parseModel(entry, depth: depth + 1)
            layer.nested?.name = name
        } else if !layer.isOperation {
            do {
                layer.kind = try catalog.makeLayer(config)
                if layer.kind != nil { layer.unhonouredConfigKeys = config.unreadKeys() }
            } catch {
                layer.problems.append("invalid config: \(error)")
            }
        }
        return layer
    }

    /// Keras 3's `.h5` writer drops the `module` key, so `x + 3.0` arrives as class `Add`, the
    /// name of the merge layer, which would compute another function. A layer's config
    /// carries `trainable` and `dtype` (a few, such as SpatialDropout2D, only `dtype`); an
    /// operation's holds its name and constructor arguments, among which `Cast` has a `dtype`.
    static func isUnlabelledKeras3Operation(_ entry: JSONValue, config: JSONObject) -> Bool {
        guard entry["module"] == nil, config["trainable"] == nil,
              config["dtype"] == nil || OperationCatalog.keras3OperationsWithDType.contains(entry["class_name"]?.stringValue ?? ""),
              let firstNode = entry["inbound_nodes"]?.arrayValue?.first?.objectValue else { return false }
        return firstNode["args"] != nil
    }

    static func isModelEntry(className: String, config: JSONObject) -> Bool {
        if ["Sequential", "Functional", "Model"].contains(className) { return true }
        return config["layers"]?.arrayValue != nil && config["input_layers"] != nil
    }

    /// `"float32"`, or the `name` inside a Keras 2 `Policy` / Keras 3 `DTypePolicy` object.
    static func dtypePolicyName(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if let string = value.stringValue { return string }
        return value["config"]?["name"]?.stringValue
    }

    // MARK: Sequential

    private func parseSequential(name: String, entries: [JSONValue], buildInputShape: [Int?]?,
                                 trainable: Bool, depth: Int) throws -> Model {
        if let first = entries.first, first["class_name"]?.stringValue == "Merge",
           let branches = first["config"]?["layers"]?.arrayValue {
            return try parseMergeFirstSequential(name: name, merge: first, branches: branches,
                                                 rest: Array(entries.dropFirst()), trainable: trainable, depth: depth)
        }
        var layers = try entries.map { try parseLayer($0, depth: depth) }
        if let first = layers.first, first.className == "InputLayer" {
            layers[0].isImplicitInput = true
        } else if let inputLayer = Self.implicitInput(for: layers.first, buildInputShape: buildInputShape) {
            layers.insert(inputLayer, at: 0)
        }
        try Self.checkUniqueNames(layers, model: name)
        for index in layers.indices {
            if index == 0 {
                layers[index].nodes = [Node(inputs: [])]
            } else {
                layers[index].nodes = [Node(inputs: [TensorRef(layers[index - 1].name, 0, 0)])]
            }
        }
        var model = Model(name: name, className: "Sequential", graphLayers: layers, inputs: [], outputs: [],
                          trainable: trainable)
        if let first = layers.first, first.isImplicitInput {
            model.inputs = [TensorRef(first.name, 0, 0)]
        }
        if let last = layers.last { model.outputs = [TensorRef(last.name, 0, 0)] }
        // A Sequential model with no known input: its first layer starts the chain unconnected.
        if model.inputs.isEmpty, !layers.isEmpty {
            model.graphLayers[0].nodes = [Node(inputs: [])]
        }
        return model
    }

    /// Keras 1's Sequential could start with a `Merge` of whole Sequential models, kept in the
    /// Merge config's `layers`. Keras 1 saved their layers flat (`Sequential.flattened_layers`:
    /// every branch's layers, then the layers after the Merge, the Merge itself left out), so
    /// the branches are inlined here: each branch gets its input, the Merge takes every
    /// branch's last output, and the model becomes the multi-input graph Keras 1 ran.
    private func parseMergeFirstSequential(name: String, merge: JSONValue, branches: [JSONValue], rest: [JSONValue],
                                           trainable: Bool, depth: Int) throws -> Model {
        guard depth + 1 < Self.maximumModelDepth else {
            throw KerasInspectError(.invalidConfig, "models nested more than \(Self.maximumModelDepth) levels deep")
        }
        var layers: [Layer] = []
        var inputs: [TensorRef] = []
        var mergeInputs: [TensorRef] = []
        for branch in branches {
            let model = try Self.isModelEntry(className: branch["class_name"]?.stringValue ?? "",
                                              config: branch["config"]?.objectValue ?? JSONObject())
                || branch["config"]?.arrayValue != nil
                ? parseModel(branch, depth: depth + 1)
                : parseSequential(name: "branch", entries: [branch], buildInputShape: nil, trainable: true, depth: depth + 1)
            var branchLayers = model.graphLayers
            for index in branchLayers.indices where branchLayers[index].isImplicitInput {
                branchLayers[index].isImplicitInput = false  // shown, as in a functional model
            }
            layers += branchLayers
            inputs += model.inputs
            mergeInputs += model.outputs
        }
        var mergeLayer = try parseLayer(merge, depth: depth)
        mergeLayer.nodes = [Node(inputs: mergeInputs)]
        layers.append(mergeLayer)
        for entry in rest {
            var layer = try parseLayer(entry, depth: depth)
            layer.nodes = [Node(inputs: [TensorRef(layers[layers.count - 1].name, 0, 0)])]
            layers.append(layer)
        }
        try Self.checkUniqueNames(layers, model: name)
        // Keras 1 called this container a Sequential; its graph is a functional one.
        return Model(name: name, className: "Model", graphLayers: layers, inputs: inputs,
                     outputs: layers.last.map { [TensorRef($0.name, 0, 0)] } ?? [], trainable: trainable)
    }

    /// Sequential models keep their input in the first layer's `batch_input_shape` (Keras 1/2)
    /// or in `build_input_shape` (Keras 3); Keras builds an InputLayer from it that
    /// `model.layers` never lists.
    private static func implicitInput(for first: Layer?, buildInputShape: [Int?]?) -> Layer? {
        guard let first else { return nil }
        var shape = first.config.shape("batch_input_shape", "batch_shape")
        if shape == nil, let inputShape = first.config.shape("input_shape") { shape = [nil] + inputShape }
        if shape == nil { shape = buildInputShape }
        guard let shape else { return nil }
        var object = JSONObject()
        object["name"] = .string(first.name + "_input")
        object["batch_shape"] = .array(shape.map { $0.map { .number(Double($0)) } ?? .null })
        let dtype = first.config.optionalString("input_dtype") ?? dtypePolicyName(first.config["dtype"]) ?? "float32"
        object["dtype"] = .string(dtype)
        var layer = Layer(name: first.name + "_input", className: "InputLayer",
                          config: LayerConfig(className: "InputLayer", object: object))
        layer.kind = try? InputLayerKind(config: layer.config, catalog: .standard)
        layer.dtypePolicy = dtype
        layer.isImplicitInput = true
        return layer
    }

    // MARK: Functional

    private func parseFunctional(name: String, className: String, config: JSONObject, entries: [JSONValue],
                                 trainable: Bool, depth: Int) throws -> Model {
        var layers: [Layer] = []
        var rawNodes: [[RawNode]] = []
        let inboundNodes = { (index: Int) in entries[index]["inbound_nodes"]?.arrayValue ?? [] }
        for entry in entries {
            layers.append(try parseLayer(entry, depth: depth))
            let nodeList = entry["inbound_nodes"]?.arrayValue ?? []
            rawNodes.append(nodeList.map(Self.parseNode))
        }
        try Self.checkUniqueNames(layers, model: name)
        let indexByName = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($1.name, $0) })
        // Every layer gets at least one node: InputLayers are called once with nothing.
        for index in layers.indices {
            let count = max(rawNodes[index].count, layers[index].className == "InputLayer" ? 1 : 0)
            layers[index].nodes = (0..<count).map { _ in Node(inputs: []) }
        }
        let keras3Style = rawNodes.joined().contains { $0.isKeras3 }
        var declaredShapes: [TensorRef: TensorShape] = [:]
        for index in layers.indices {
            for (nodeIndex, raw) in rawNodes[index].enumerated() {
                layers[index].nodes[nodeIndex].maskInputs = raw.maskPositions
                layers[index].nodes[nodeIndex].maskTargets = raw.maskTargets
                layers[index].nodes[nodeIndex].keywords = raw.keywords
                layers[index].nodes[nodeIndex].tensorKeywords = raw.tensorKeywords
                if layers[index].isOperation {
                    layers[index].nodes[nodeIndex].arguments = Self.operationArguments(rawNodes: inboundNodes(index), at: nodeIndex,
                                                                                      refCount: raw.refs.count)
                }
                layers[index].nodes[nodeIndex].inputs = try raw.refs.map { ref in
                    let resolved = try resolve(ref, from: "\(layers[index].name)[\(nodeIndex)]", layers: layers,
                                               indexByName: indexByName, keras3Style: keras3Style, fromEndpointList: false)
                    if let shape = raw.declaredShapes[ref] { declaredShapes[resolved] = shape }
                    return resolved
                }
            }
        }
        let inputs = try Self.endpointList(config["input_layers"]).map {
            try resolve($0, from: "input_layers", layers: layers, indexByName: indexByName,
                        keras3Style: keras3Style, fromEndpointList: true)
        }
        let outputs = try Self.endpointList(config["output_layers"]).map {
            try resolve($0, from: "output_layers", layers: layers, indexByName: indexByName,
                        keras3Style: keras3Style, fromEndpointList: true)
        }
        var model = Model(name: name, className: className, graphLayers: layers, inputs: inputs,
                          outputs: outputs, trainable: trainable)
        model.declaredShapes = declaredShapes
        return model
    }

    /// Maps a reference as written in the config onto this model's own node numbering.
    ///
    /// Keras 1/2 nested models built from an `Input` own an internal node 0, so their first
    /// call inside an outer model is written as node 1. Keras 3 shifts only the
    /// `input_layers`/`output_layers` entries that point at a nested Functional model.
    private func resolve(_ ref: TensorRef, from place: String, layers: [Layer], indexByName: [String: Int],
                         keras3Style: Bool, fromEndpointList: Bool) throws -> TensorRef {
        guard let index = indexByName[ref.layer] else {
            throw KerasInspectError(.invalidConfig, "\(place) refers to unknown layer '\(ref.layer)'")
        }
        let target = layers[index]
        var shift = 0
        if let nested = target.nested {
            if keras3Style {
                shift = fromEndpointList && !nested.isSequential ? 1 : 0
            } else {
                shift = (!nested.isSequential || nested.graphLayers.first?.isImplicitInput == true) ? 1 : 0
            }
        }
        var node = ref.node - shift
        let nodeCount = target.nodes.count
        if !(0..<nodeCount).contains(node) {
            // Files from writers we have not seen: accept the unshifted or shifted reading if
            // exactly one of them names an existing call.
            if (0..<nodeCount).contains(ref.node) {
                node = ref.node
            } else if (0..<nodeCount).contains(ref.node - 1) {
                node = ref.node - 1
            } else {
                throw KerasInspectError(.invalidConfig,
                    "\(place) refers to call \(ref.node) of layer '\(ref.layer)', which has \(nodeCount) call(s)")
            }
        }
        guard ref.tensor >= 0 else {
            throw KerasInspectError(.invalidConfig, "\(place) refers to a negative tensor index of '\(ref.layer)'")
        }
        return TensorRef(ref.layer, node, ref.tensor)
    }

    private static func checkUniqueNames(_ layers: [Layer], model: String) throws {
        var seen = Set<String>()
        for layer in layers where !seen.insert(layer.name).inserted {
            throw KerasInspectError(.invalidConfig, "model '\(model)' has two layers named '\(layer.name)'")
        }
    }

    // MARK: Nodes

    /// One call as written in the config, before its references are resolved.
    struct RawNode {
        var refs: [TensorRef] = []
        var declaredShapes: [TensorRef: TensorShape] = [:]
        var isKeras3 = false
        /// Positions in `refs` that came from a `mask` keyword.
        var maskPositions: Set<Int> = []
        /// For each mask position, the index of the input it masks.
        var maskTargets: [Int: Int] = [:]
        /// Keyword arguments holding no tensor.
        var keywords = JSONObject()
        /// Keyword arguments holding tensors, `mask` aside, in the order their tensors were read.
        var tensorKeywords: [String] = []
    }

    /// Reads one element of `inbound_nodes` in any generation's format.
    static func parseNode(_ node: JSONValue) -> RawNode {
        var raw = RawNode()
        if let object = node.objectValue, object["args"] != nil || object["kwargs"] != nil {
            raw.isKeras3 = true
            collectKerasTensors(object["args"] ?? .null, into: &raw, depth: 0)
            if let kwargs = object["kwargs"]?.objectValue {
                for (key, value) in kwargs.entries {
                    let start = raw.refs.count
                    collectKerasTensors(value, into: &raw, depth: 1)
                    if key == "mask" {
                        raw.maskPositions.formUnion(start..<raw.refs.count)
                        if let entries = value.arrayValue {
                            // One mask per input, `null` for an input without one.
                            var position = start
                            for (target, entry) in entries.enumerated() {
                                var probe = RawNode()
                                collectKerasTensors(entry, into: &probe, depth: 2)
                                for offset in 0..<probe.refs.count { raw.maskTargets[position + offset] = target }
                                position += probe.refs.count
                            }
                        } else {
                            for position in start..<raw.refs.count { raw.maskTargets[position] = 0 }
                        }
                    }
                    if raw.refs.count == start { raw.keywords[key] = value } else if key != "mask" { raw.tensorKeywords.append(key) }
                }
            } else {
                collectKerasTensors(object["kwargs"] ?? .null, into: &raw, depth: 0)
            }
        } else {
            collectLegacyRefs(node, into: &raw, depth: 0)
        }
        return raw
    }

    /// The arguments of an operation call with constants in place, or `nil` when the tensors
    /// found in them are not the call's `refCount` inputs (a form not seen yet).
    static func operationArguments(rawNodes: [JSONValue], at index: Int, refCount: Int) -> CallArguments? {
        guard index < rawNodes.count else { return nil }
        let node = rawNodes[index]
        var tensors = 0
        var arguments = CallArguments()
        if let object = node.objectValue, object["args"] != nil || object["kwargs"] != nil {
            // Keras 3: `{"args": [...], "kwargs": {...}}`, constants inline.
            let args = object["args"] ?? .array([])
            arguments.positional = (args.arrayValue ?? [args]).map { keras3Argument($0, tensors: &tensors) }
            for (key, value) in object["kwargs"]?.objectValue?.entries ?? [] {
                arguments.keywords.append((key, keras3Argument(value, tensors: &tensors)))
            }
        } else {
            // tf-keras: `[first, node, tensor, kwargs]` (or that inside a one-item list), the
            // first argument a tensor reference or `["_CONSTANT_VALUE", -1, value, kwargs]`,
            // every other argument a keyword.
            guard var call = node.arrayValue else { return nil }
            if call.count == 1, let inner = call[0].arrayValue { call = inner }
            guard call.count >= 3, let name = call[0].stringValue else { return nil }
            if name == "_CONSTANT_VALUE" {
                arguments.positional = [.constant(call[2])]
            } else {
                guard legacyTriple(.array(call)) != nil else { return nil }
                arguments.positional = [.tensor(position: 0, dtype: nil)]
                tensors = 1
            }
            if call.count > 3 {
                guard let kwargs = call[3].objectValue else { return nil }
                for (key, value) in kwargs.entries {
                    arguments.keywords.append((key, legacyArgument(value, tensors: &tensors)))
                }
            }
        }
        return tensors == refCount ? arguments : nil
    }

    /// Mirrors `collectKerasTensors`' walk, so tensors are numbered as `Node.inputs` holds them.
    private static func keras3Argument(_ value: JSONValue, tensors: inout Int) -> CallArgument {
        switch value {
        case .array(let items):
            return .list(items.map { keras3Argument($0, tensors: &tensors) })
        case .object(let object):
            if object["class_name"]?.stringValue == "__keras_tensor__",
               let history = object["config"]?["keras_history"], legacyTriple(history) != nil {
                defer { tensors += 1 }
                return .tensor(position: tensors, dtype: object["config"]?["dtype"]?.stringValue)
            }
            var inner = RawNode()
            collectKerasTensors(value, into: &inner, depth: 1)
            tensors += inner.refs.count
            return inner.refs.isEmpty ? .constant(value) : .opaque(value)
        default:
            return .constant(value)
        }
    }

    /// Mirrors `collectLegacyRefs`' walk of a keyword value.
    private static func legacyArgument(_ value: JSONValue, tensors: inout Int) -> CallArgument {
        if let ref = legacyTriple(value), ref.layer != "_CONSTANT_VALUE", value.arrayValue?.count ?? 0 <= 3 {
            defer { tensors += 1 }
            return .tensor(position: tensors, dtype: nil)
        }
        if let items = value.arrayValue, legacyTriple(value) == nil {
            return .list(items.map { legacyArgument($0, tensors: &tensors) })
        }
        var inner = RawNode()
        collectLegacyRefs(value, into: &inner, depth: 1)
        tensors += inner.refs.count
        return inner.refs.isEmpty ? .constant(value) : .opaque(value)
    }

    /// Keras 3: tensors are `__keras_tensor__` objects anywhere inside args and kwargs.
    private static func collectKerasTensors(_ value: JSONValue, into raw: inout RawNode, depth: Int) {
        guard depth < 64 else { return }
        switch value {
        case .array(let array):
            for element in array { collectKerasTensors(element, into: &raw, depth: depth + 1) }
        case .object(let object):
            if object["class_name"]?.stringValue == "__keras_tensor__",
               let history = object["config"]?["keras_history"], let ref = legacyTriple(history) {
                raw.refs.append(ref)
                if let shape = object["config"]?["shape"].flatMap(LayerConfig.shapeList) {
                    raw.declaredShapes[ref] = TensorShape(shape)
                }
                return
            }
            for (_, element) in object.entries { collectKerasTensors(element, into: &raw, depth: depth + 1) }
        default:
            return
        }
    }

    /// Keras 1/2: `[name, node, tensor(, kwargs)]` lists, possibly nested in lists or dicts,
    /// with more tensor references inside kwargs (tf.keras MultiHeadAttention's `value`).
    private static func collectLegacyRefs(_ value: JSONValue, into raw: inout RawNode, depth: Int) {
        guard depth < 64 else { return }
        switch value {
        case .array(let array):
            // A call on a list of tensors repeats the call's kwargs on every reference; Keras
            // lists the positional tensors first, then those of the kwargs, once.
            if depth == 0, array.count > 1, array.allSatisfy({ legacyTriple($0) != nil }) {
                for element in array {
                    if let ref = legacyTriple(element), ref.layer != "_CONSTANT_VALUE" { raw.refs.append(ref) }
                }
                if let first = array.first?.arrayValue, first.count > 3 {
                    collectLegacyKeywords(first[3], into: &raw, depth: depth)
                }
                return
            }
            if let ref = legacyTriple(value) {
                if ref.layer != "_CONSTANT_VALUE" { raw.refs.append(ref) }
                if array.count > 3 { collectLegacyKeywords(array[3], into: &raw, depth: depth) }
                return
            }
            for element in array { collectLegacyRefs(element, into: &raw, depth: depth + 1) }
        case .object(let object):
            for (_, element) in object.entries { collectLegacyRefs(element, into: &raw, depth: depth + 1) }
        default:
            return
        }
    }

    /// The kwargs of a Keras 1/2 reference: tensors (masks, `value=`) and plain keywords.
    private static func collectLegacyKeywords(_ value: JSONValue, into raw: inout RawNode, depth: Int) {
        if let kwargs = value.objectValue {
            for (key, value) in kwargs.entries {
                let start = raw.refs.count
                collectLegacyRefs(value, into: &raw, depth: depth + 1)
                if key == "mask" {
                    // A reference, or one per input (`null` where an input has none).
                    raw.maskPositions.formUnion(start..<raw.refs.count)
                    let entries = legacyTriple(value) == nil ? (value.arrayValue ?? []) : [value]
                    var position = start
                    for (target, entry) in entries.enumerated() {
                        var probe = RawNode()
                        collectLegacyRefs(entry, into: &probe, depth: depth + 2)
                        for offset in 0..<probe.refs.count { raw.maskTargets[position + offset] = target }
                        position += probe.refs.count
                    }
                }
                if raw.refs.count == start {
                    raw.keywords[key] = value
                } else if key != "mask" {
                    raw.tensorKeywords.append(key)
                }
            }
        } else {
            collectLegacyRefs(value, into: &raw, depth: depth + 1)
        }
    }

    /// `["name", node, tensor, …]` → a reference, when the first three items have those types.
    static func legacyTriple(_ value: JSONValue) -> TensorRef? {
        guard let array = value.arrayValue, array.count >= 3, let name = array[0].stringValue,
              let node = array[1].intValue, let tensor = array[2].intValue else { return nil }
        return TensorRef(name, node, tensor)
    }

    /// `input_layers` / `output_layers`: a list of triples, or one bare triple (Keras 3),
    /// or a dict of triples (Keras 3 dict inputs).
    static func endpointList(_ value: JSONValue?) -> [TensorRef] {
        guard let value else { return [] }
        if let single = legacyTriple(value) { return [single] }
        if let array = value.arrayValue { return array.flatMap { endpointList($0) } }
        if let object = value.objectValue { return object.entries.flatMap { endpointList($0.value) } }
        return []
    }
}
