/// A model recovered from stored weights alone, for files without a usable architecture:
/// weights-only files (`save_weights`) and subclassed models whose config has no layer list.
///
/// Each stored layer group becomes a layer; its class is recognised from Keras' automatic
/// naming (`dense_1` → Dense, Keras 1's `convolution2d_1` → Convolution2D) when possible.
/// Parameters come from the arrays; shapes and connections are unknown.
enum WeightsOnlyModel {
    static func build(name: String, className: String, order: [String], weights: [String: [StoredWeight]],
                      classHints: [String: String] = [:], catalog: LayerCatalog) -> Model {
        let layers = order.map { layerName -> Layer in
            let guessed = guessClassName(classHints[layerName] ?? layerName, catalog: catalog) ?? "?"
            var layer = Layer(name: layerName, className: guessed,
                              config: LayerConfig(className: guessed, object: JSONObject([("name", .string(layerName))])))
            layer.storedWeights = weights[layerName] ?? []
            return layer
        }
        var model = Model(name: name, className: className, graphLayers: layers, inputs: [], outputs: [], trainable: true)
        model.structureUnknown = true
        return model
    }

    /// Top-level groups of a Keras 3 weights tree (`layers/<group>`), in Keras' creation
    /// order (`dense`, `dense_1`, `dense_2`, … `dense_10`), named by their `name` attribute.
    static func keras3Layers(_ file: HDF5File) throws
        -> (order: [String], weights: [String: [StoredWeight]], classHints: [String: String]) {
        let root = try file.root
        guard root.childKind("layers") == .group else { return ([], [:], [:]) }
        let list = try root.group("layers")
        let groups = try list.childNames().sorted(by: creationOrder)
        var order: [String] = []
        var weights: [String: [StoredWeight]] = [:]
        var classHints: [String: String] = [:]
        for group in groups where list.childKind(group) == .group {
            let attributeName = list.childKind(group + "/vars") == .group ? try list.group(group + "/vars").stringAttribute("name") : nil
            let name = attributeName ?? group
            order.append(name)
            classHints[name] = group
            weights[name] = try KerasWeightsTree.arrays(in: try list.group(group), relativeTo: group)
        }
        return (order, weights, classHints)
    }

    /// `dense` < `dense_1` < `dense_2` < `dense_10`: Keras' counters, not string order.
    static func creationOrder(_ a: String, _ b: String) -> Bool {
        func split(_ name: String) -> (String, Int) {
            if let underscore = name.lastIndex(of: "_"), let number = Int(name[name.index(after: underscore)...]) {
                return (String(name[..<underscore]), number)
            }
            return (name, 0)
        }
        let (baseA, numberA) = split(a), (baseB, numberB) = split(b)
        return baseA == baseB ? numberA < numberB : a < b
    }

    /// The class a Keras automatic layer name was made from, if the catalog knows it.
    static func guessClassName(_ layerName: String, catalog: LayerCatalog) -> String? {
        var base = Substring(layerName)
        if let underscore = base.lastIndex(of: "_"), Int(base[base.index(after: underscore)...]) != nil {
            base = base[..<underscore]
        }
        let key = String(base)
        let containers = ["input": "InputLayer", "input_layer": "InputLayer", "sequential": "Sequential",
                          "model": "Model", "functional": "Functional"]
        if let container = containers[key] { return container }
        for className in catalog.classNames
        where KerasWeightsTree.snakeCase(className) == key || className.lowercased() == key {
            return className
        }
        return nil
    }
}
