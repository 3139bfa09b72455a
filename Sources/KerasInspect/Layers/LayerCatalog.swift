/// The registry of layer kinds, keyed by Keras class name.
///
/// Adding a layer kind means writing its file under `Layers/` and adding its type to `kinds`.
public struct LayerCatalog: Sendable {
    /// Every supported layer kind, grouped by family (the order of `docs/layers.md`).
    public static let families: [(name: String, kinds: [any LayerKind.Type])] = [
        ("Core", coreKinds),
        ("Activation", activationKinds),
        ("Dropout and noise", regularizationKinds),
        ("Reshaping", reshapingKinds),
        ("Convolution", convolutionKinds),
        ("Pooling", poolingKinds),
        ("Normalization", normalizationKinds),
        ("Merging", mergingKinds),
        ("Recurrent", recurrentKinds),
        ("Attention", attentionKinds),
        ("Wrappers", wrapperKinds),
        ("Preprocessing", preprocessingKinds),
        ("Keras applications", applicationsKinds),
    ]

    static let kinds: [any LayerKind.Type] = families.flatMap(\.kinds)

    public static let standard = LayerCatalog(kinds: kinds)

    private let kindsByClassName: [String: any LayerKind.Type]

    init(kinds: [any LayerKind.Type]) {
        var table: [String: any LayerKind.Type] = [:]
        for kind in kinds {
            for name in kind.classNames { table[name] = kind }
        }
        kindsByClassName = table
    }

    /// All class names the catalog understands, sorted.
    public var classNames: [String] { kindsByClassName.keys.sorted() }

    public func knows(_ className: String) -> Bool { kindsByClassName[className] != nil }

    /// Builds the layer kind for a configuration; `nil` when the class is not in the catalog.
    public func makeLayer(_ config: LayerConfig) throws -> (any LayerKind)? {
        guard let kind = kindsByClassName[config.className] else { return nil }
        // A class of the same name from another module (a user's own `LayerScale`) is not
        // this kind; only `.keras` archives record the module.
        if let modules = kind.modules, let module = config.module, !modules.contains(module) { return nil }
        let layer = try kind.init(config: config, catalog: self)
        config.acknowledge(kind.inferenceNeutralConfigKeys)
        return layer
    }

    /// Builds a wrapped layer from the serialised `{"class_name", "config"}` object at `key`
    /// of `parent` (the `layer` of TimeDistributed and Bidirectional); its config's keys are
    /// reported as `key.…` of the parent's.
    public func makeLayer(serialized value: JSONValue, in parent: LayerConfig, at key: String) throws -> (any LayerKind)? {
        guard let className = value["class_name"]?.stringValue,
              let object = value["config"]?.objectValue else {
            throw LayerConfigError("wrapped layer has no class_name/config")
        }
        return try makeLayer(parent.child(key, className: LayerConfig.pythonClassName(className), object: object,
                                          module: value["module"]?.stringValue))
    }
}
