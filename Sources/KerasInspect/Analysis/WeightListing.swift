/// Every stored array of a model file, attributed to the layer that owns it.
public struct WeightListing: Sendable {
    public struct Entry: Sendable {
        /// `outer/inner` for layers of nested models.
        public var layer: String
        public var className: String
        public var weight: LayerWeight
        /// Trainable after the layer's and enclosing models' flags are applied.
        public var trainable: Bool

        public var elementCount: Int { weight.shape.reduce(1, *) }
        public var bytes: Int { elementCount * DType.byteSize(of: weight.dtype) }
    }

    public var entries: [Entry] = []

    /// Lists the file's arrays (or, for architecture-only files, the weights the config
    /// implies), optionally only for the named layers.
    public init(_ file: ModelFile, layers selected: Set<String> = []) {
        collect(file.model, prefix: "", enclosingTrainable: true, selected: selected)
    }

    private mutating func collect(_ model: Model, prefix: String, enclosingTrainable: Bool, selected: Set<String>) {
        let modelTrainable = enclosingTrainable && model.trainable
        for layer in model.layers {
            let label = prefix + layer.name
            let layerTrainable = modelTrainable && layer.trainable
            if let nested = layer.nested {
                let before = entries.count
                collect(nested, prefix: label + "/", enclosingTrainable: layerTrainable,
                        selected: selected.contains(layer.name) ? [] : selected)
                // Arrays of the nested group that no sub-layer claimed stay with the model.
                let claimed = Set(entries[before...].compactMap(\.weight.path))
                for stored in layer.storedWeights where !claimed.contains(stored.path) && include(label, selected) {
                    entries.append(Entry(layer: label, className: layer.className,
                                         weight: LayerWeight(name: stored.name, shape: stored.shape, dtype: stored.dtype,
                                                             createdTrainable: Layer.guessTrainable(stored), path: stored.path,
                                                             expectedShape: nil),
                                         trainable: layerTrainable && Layer.guessTrainable(stored)))
                }
                continue
            }
            guard include(label, selected) || selected.contains(layer.name) else { continue }
            for weight in layer.weights {
                entries.append(Entry(layer: label, className: layer.className, weight: weight,
                                     trainable: weight.createdTrainable && layerTrainable))
            }
        }
    }

    private func include(_ label: String, _ selected: Set<String>) -> Bool {
        selected.isEmpty || selected.contains(label)
    }
}
