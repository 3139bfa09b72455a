/// Why each layer has the parameters it has: its weights with their shapes, the formula
/// behind them, and a plain-language paragraph the first time a layer kind appears.
public struct ParameterExplanation: Sendable {
    public struct Term: Sendable {
        public var name: String
        public var shape: [Int]
        public var count: Int { shape.reduce(1, *) }
        public var trainable: Bool
    }

    public struct Entry: Sendable {
        public var layer: String
        public var className: String
        public var depth: Int
        public var terms: [Term]
        public var total: Int
        /// The kind's own arithmetic (e.g. `= 32 filters × (3 × 3·3 + 1)`).
        public var formula: String?
        public var notes: [String]
        /// Set on the first layer of each kind only.
        public var kindExplanation: String?
        public var outputShapes: [TensorShape]?
    }

    public var entries: [Entry] = []
    public var totals: ParameterCount
    public var optimizerParameters: Int?

    public init(_ file: ModelFile, layers selected: Set<String> = []) {
        totals = file.model.parameterCount()
        optimizerParameters = file.optimizerParameterCount
        var explainedKinds = Set<String>()
        collect(file.model, prefix: "", depth: 0, selected: selected, enclosingTrainable: true, explainedKinds: &explainedKinds)
    }

    private mutating func collect(_ model: Model, prefix: String, depth: Int, selected: Set<String>,
                                  enclosingTrainable: Bool, explainedKinds: inout Set<String>) {
        let modelTrainable = enclosingTrainable && model.trainable
        for layer in model.layers {
            let label = prefix + layer.name
            let wanted = selected.isEmpty || selected.contains(layer.name) || selected.contains(label)
            let count = layer.parameterCount(enclosingTrainable: modelTrainable)
            var notes: [String] = []
            if layer.nodes.count > 1 {
                notes.append("called \(layer.nodes.count) times; its weights are shared, so they are counted once")
            }
            if !(modelTrainable && layer.trainable) && count.total > 0 {
                notes.append(layer.trainable ? "inside a frozen model: every weight counts as non-trainable"
                                             : "frozen (trainable = false): every weight counts as non-trainable")
            }
            if let nested = layer.nested {
                if wanted {
                    notes.insert("a nested \(nested.className) model: the sum of its \(nested.layers.count) layers below", at: 0)
                    entries.append(Entry(layer: label, className: layer.className, depth: depth, terms: [], total: count.total,
                                         formula: nil, notes: notes, kindExplanation: nil,
                                         outputShapes: layer.displayedOutputShapes))
                }
                collect(nested, prefix: label + "/", depth: depth + 1, selected: wanted ? [] : selected,
                        enclosingTrainable: modelTrainable && layer.trainable, explainedKinds: &explainedKinds)
                continue
            }
            guard wanted else { continue }
            var terms: [Term] = []
            var formula: String?
            var kindText: String?
            if let expected = layer.expectedWeights, let kind = layer.kind {
                terms = expected.map { Term(name: $0.name, shape: $0.shape, trainable: $0.trainable) }
                let inputs = layer.nodes.first?.inputs.compactMap { model.shape(of: $0) } ?? []
                formula = kind.parameterFormula(for: inputs)
                let paragraph = type(of: kind).explanation
                if explainedKinds.insert(paragraph).inserted { kindText = paragraph }
            } else {
                terms = layer.storedWeights.map { Term(name: $0.shortName, shape: $0.shape, trainable: Layer.guessTrainable($0)) }
                notes.append("outside the catalog: counted from the arrays stored in the file")
            }
            entries.append(Entry(layer: label, className: layer.className, depth: depth, terms: terms, total: count.total,
                                 formula: formula, notes: notes, kindExplanation: kindText,
                                 outputShapes: layer.displayedOutputShapes))
        }
    }
}
