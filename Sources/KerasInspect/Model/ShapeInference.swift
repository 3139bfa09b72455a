/// Walks a model's calls in dependency order, computing every call's output shapes and each
/// layer's expected weights (from the shapes of its first call, which is when Keras builds it).
enum ShapeInference {
    struct CallIndex: Hashable {
        var layer: Int
        var node: Int
    }

    /// The calls of `model` ordered so that each follows the calls that produce its inputs.
    /// A cycle is an error naming the layers on it.
    static func callOrder(_ model: Model) throws -> [CallIndex] {
        let indexByName = Dictionary(model.graphLayers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        var pendingInputs: [CallIndex: Int] = [:]
        var consumers: [CallIndex: [CallIndex]] = [:]
        var ready: [CallIndex] = []
        for (layerIndex, layer) in model.graphLayers.enumerated() {
            for (nodeIndex, node) in layer.nodes.enumerated() {
                let call = CallIndex(layer: layerIndex, node: nodeIndex)
                let producers = Set(node.inputs.compactMap { ref in
                    indexByName[ref.layer].map { CallIndex(layer: $0, node: ref.node) }
                })
                pendingInputs[call] = producers.count
                for producer in producers { consumers[producer, default: []].append(call) }
                if producers.isEmpty { ready.append(call) }
            }
        }
        var order: [CallIndex] = []
        order.reserveCapacity(pendingInputs.count)
        var cursor = 0
        while cursor < ready.count {
            let call = ready[cursor]
            cursor += 1
            order.append(call)
            for consumer in consumers[call] ?? [] {
                pendingInputs[consumer]! -= 1
                if pendingInputs[consumer] == 0 { ready.append(consumer) }
            }
        }
        if order.count < pendingInputs.count {
            let stuck = Set(pendingInputs.filter { $0.value > 0 }.map { model.graphLayers[$0.key.layer].name })
            throw KerasInspectError(.invalidConfig,
                "the layer graph of '\(model.name)' has a cycle through \(stuck.sorted().prefix(5).joined(separator: ", "))")
        }
        return order
    }

    /// Fills in output shapes and expected weights. `inputShapes`, when given, replaces the
    /// shapes of the model's inputs (a nested model called on an outer tensor).
    static func infer(_ model: inout Model, inputShapes: [TensorShape]? = nil) throws {
        let order = try callOrder(model)
        var overrides: [String: TensorShape] = [:]
        if let inputShapes {
            for (ref, shape) in zip(model.inputs, inputShapes) { overrides[ref.layer] = shape }
        }
        for call in order {
            let layer = model.graphLayers[call.layer]
            let node = layer.nodes[call.node]
            let inputs = callInputShapes(of: node, layerIndex: call.layer, in: model, given: inputShapes)
            var outputs: [TensorShape]?
            if layer.className == "InputLayer" || (node.inputs.isEmpty && layer.kind is InputLayerKind) {
                outputs = overrides[layer.name].map { [$0] } ?? (try? layer.kind?.outputShapes(for: []))
                if call.node == 0 { model.graphLayers[call.layer].expectedWeights = [] }
            } else if let inputs {
                outputs = try shapes(of: call, layer: layer, inputs: inputs, in: &model)
            }
            if outputs == nil { outputs = declaredOutputs(of: layer.name, node: call.node, in: model) }
            model.graphLayers[call.layer].nodes[call.node].outputShapes = outputs
        }
    }

    private static func callInputShapes(of node: Node, layerIndex: Int, in model: Model,
                                        given modelInputs: [TensorShape]?) -> [TensorShape]? {
        if node.inputs.isEmpty {
            // An unbuilt Sequential model's first layer takes the outer call's tensor directly.
            if layerIndex == 0, model.isSequential, let modelInputs { return modelInputs }
            return nil
        }
        var shapes: [TensorShape] = []
        // Masks are not inputs the layer computes with: they neither size weights nor outputs.
        for (position, ref) in node.inputs.enumerated() where !node.maskInputs.contains(position) {
            guard let shape = model.shape(of: ref) ?? model.declaredShapes[ref] else { return nil }
            shapes.append(shape)
        }
        return shapes
    }

    private static func shapes(of call: CallIndex, layer: Layer, inputs: [TensorShape],
                               in model: inout Model) throws -> [TensorShape]? {
        if var nested = layer.nested {
            try infer(&nested, inputShapes: inputs)
            let outputs = nested.outputs.map { nested.shape(of: $0) }
            if call.node == 0 { model.graphLayers[call.layer].nested = nested }
            return outputs.contains { $0 == nil } ? nil : outputs.compactMap { $0 }
        }
        if layer.isOperation {
            if call.node == 0 {
                model.graphLayers[call.layer].expectedWeights = []
                model.graphLayers[call.layer].isKnownOperation = true
            }
            do {
                let operation = try OperationCatalog.make(layer, call: layer.nodes[call.node])
                return [try operation.outputShape(inputs)]
            } catch {
                // The row stays, unverified; its shape is only what Keras 3 recorded, if anything.
                model.graphLayers[call.layer].isKnownOperation = false
                model.graphLayers[call.layer].problems.append("\(error)")
                return nil
            }
        }
        guard let kind = layer.kind else { return nil }
        if call.node == 0 {
            model.graphLayers[call.layer].problems += kind.notes
            do {
                model.graphLayers[call.layer].expectedWeights = try kind.expectedWeights(for: inputs)
            } catch {
                model.graphLayers[call.layer].problems.append("cannot derive weights: \(error)")
            }
        }
        let keywords = layer.nodes[call.node].keywords
        for note in kind.notes(forCallWith: keywords) where !model.graphLayers[call.layer].problems.contains(note) {
            model.graphLayers[call.layer].problems.append(note)
        }
        do {
            return try kind.outputShapes(for: inputs, keywords: keywords)
        } catch {
            model.graphLayers[call.layer].problems.append("cannot infer output shape: \(error)")
            return nil
        }
    }

    /// Shapes Keras 3 wrote for this call's outputs where other calls consume them.
    private static func declaredOutputs(of layer: String, node: Int, in model: Model) -> [TensorShape]? {
        var outputs: [TensorShape] = []
        while let shape = model.declaredShapes[TensorRef(layer, node, outputs.count)] {
            outputs.append(shape)
        }
        return outputs.isEmpty ? nil : outputs
    }
}
