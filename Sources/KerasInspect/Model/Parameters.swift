/// Parameter totals split the way Keras splits them, with their sizes in bytes.
public struct ParameterCount: Sendable, Equatable {
    public var trainable = 0
    public var nonTrainable = 0
    public var trainableBytes = 0
    public var nonTrainableBytes = 0

    public init() {}

    public var total: Int { trainable + nonTrainable }
    public var totalBytes: Int { trainableBytes + nonTrainableBytes }

    public static func + (lhs: ParameterCount, rhs: ParameterCount) -> ParameterCount {
        var sum = lhs
        sum.trainable += rhs.trainable
        sum.nonTrainable += rhs.nonTrainable
        sum.trainableBytes += rhs.trainableBytes
        sum.nonTrainableBytes += rhs.nonTrainableBytes
        return sum
    }

    mutating func add(elements: Int, bytes: Int, trainable: Bool) {
        if trainable {
            self.trainable += elements
            trainableBytes += bytes
        } else {
            nonTrainable += elements
            nonTrainableBytes += bytes
        }
    }
}

/// One weight of a layer as shown to users: what the file stores when it stores it,
/// what the config implies otherwise.
public struct LayerWeight: Sendable, Equatable {
    public var name: String
    /// Shape of the stored array, or the expected shape for config-only files.
    public var shape: [Int]
    public var dtype: String
    /// Whether Keras creates the variable trainable (layer flags not applied).
    public var createdTrainable: Bool
    /// The HDF5 path of the stored array, if any.
    public var path: String?
    /// The shape the config implies, when the catalog knows the layer.
    public var expectedShape: [Int]?
    /// The variable's name as the config implies it (`kernel`), when the catalog knows the
    /// layer: the same in every format, where stored names differ (`.keras`' `vars/0`).
    public var expectedName: String? = nil
}

extension Layer {
    /// The dtype Keras gives this layer's variables: mixed policies keep float32 variables,
    /// and an integer `dtype` (Keras 2's Embedding records its input's `int32`) is not a
    /// variable type.
    var variableDType: String {
        switch dtypePolicy {
        case nil: return "float32"
        case let policy? where policy.hasPrefix("mixed_"): return "float32"
        case let policy? where policy.hasPrefix("int") || policy.hasPrefix("uint") || policy == "bool": return "float32"
        case let policy?: return policy
        }
    }

    /// Stored arrays paired with the weights the config implies. Pairing is by variable name
    /// (`kernel`, `moving_mean`), then by position for names that do not match (Keras 1's
    /// `dense_1_W`, Keras 3's `vars/0`).
    public var weights: [LayerWeight] {
        guard let expected = expectedWeights else {
            return storedWeights.map {
                LayerWeight(name: $0.name, shape: $0.shape, dtype: $0.dtype,
                            createdTrainable: Self.guessTrainable($0), path: $0.path, expectedShape: nil)
            }
        }
        if storedWeights.isEmpty {
            return expected.map {
                LayerWeight(name: $0.name, shape: $0.shape, dtype: $0.dtype ?? variableDType,
                            createdTrainable: $0.trainable, path: nil, expectedShape: $0.shape)
            }
        }
        let (pairs, _, unmatched) = WeightPairing.pair(expected: expected, stored: storedWeights)
        var result: [LayerWeight] = expected.enumerated().map { index, spec in
            if let storedIndex = pairs[index] {
                let stored = storedWeights[storedIndex]
                return LayerWeight(name: stored.name, shape: stored.shape, dtype: stored.dtype,
                                   createdTrainable: spec.trainable, path: stored.path, expectedShape: spec.shape,
                                   expectedName: spec.name)
            }
            return LayerWeight(name: spec.name, shape: spec.shape, dtype: spec.dtype ?? variableDType,
                               createdTrainable: spec.trainable, path: nil, expectedShape: spec.shape)
        }
        for storedIndex in unmatched {
            let stored = storedWeights[storedIndex]
            result.append(LayerWeight(name: stored.name, shape: stored.shape, dtype: stored.dtype,
                                      createdTrainable: Self.guessTrainable(stored), path: stored.path,
                                      expectedShape: nil))
        }
        return result
    }

    /// For arrays of layers outside the catalog: Keras' non-trainable state variables have
    /// recognisable names (BatchNormalization statistics, Normalization's adapted values).
    static func guessTrainable(_ weight: StoredWeight) -> Bool {
        let name = weight.shortName
        let stateNames: Set<String> = ["moving_mean", "moving_variance", "running_mean", "running_std",
                                       "mean", "variance", "count", "seed_generator_state", "iterations"]
        return !stateNames.contains(name)
    }

    /// Parameters as `model.summary()` counts them for this layer. `enclosingTrainable` is
    /// false inside a frozen outer model: every weight is then non-trainable.
    public func parameterCount(enclosingTrainable: Bool = true) -> ParameterCount {
        let effectiveTrainable = enclosingTrainable && trainable
        if let nested {
            return nested.parameterCount(enclosingTrainable: effectiveTrainable)
        }
        var count = ParameterCount()
        if let expected = expectedWeights {
            // Pairing stored arrays with specs is only needed when their element types differ.
            let uniformDType = Set(storedWeights.map(\.dtype)).count <= 1
            let dtypes = uniformDType
                ? expected.map { storedWeights.first?.dtype ?? $0.dtype ?? variableDType }
                : weights.map(\.dtype)
            for (index, spec) in expected.enumerated() {
                let dtype = index < dtypes.count ? dtypes[index] : variableDType
                count.add(elements: spec.elementCount, bytes: spec.elementCount * DType.byteSize(of: dtype),
                          trainable: spec.trainable && effectiveTrainable)
            }
            return count
        }
        for stored in storedWeights {
            count.add(elements: stored.elementCount, bytes: stored.elementCount * stored.bytesPerElement,
                      trainable: Self.guessTrainable(stored) && effectiveTrainable)
        }
        return count
    }
}

extension Model {
    /// Totals over `model.layers`; a layer called several times (shared) counts once.
    public func parameterCount(enclosingTrainable: Bool = true) -> ParameterCount {
        layers.reduce(ParameterCount()) { $0 + $1.parameterCount(enclosingTrainable: enclosingTrainable && trainable) }
    }

    /// Gives each layer the arrays stored under its name and returns the groups that match
    /// no layer. A nested model's arrays sit in its single group; they are handed on to the
    /// sub-layer named in their path.
    @discardableResult
    mutating func attachStoredWeights(_ groups: [String: [StoredWeight]]) -> [String: [StoredWeight]] {
        var unclaimed = groups
        for index in graphLayers.indices {
            unclaimed[graphLayers[index].name] = nil
            guard let stored = groups[graphLayers[index].name] else { continue }
            graphLayers[index].storedWeights = stored
            if graphLayers[index].nested != nil {
                graphLayers[index].nested!.distributeStoredWeights(stored)
            }
        }
        return unclaimed
    }

    /// Paths name the owning layer, but not always every model in between: tf-keras writes
    /// `leaf_dense/kernel:0` for a Dense inside a Sequential inside this model, and Keras 3
    /// leaves out a Functional model nested in a Sequential. A weight whose path names no
    /// layer of this model goes to the nested model that holds a layer of that name.
    private mutating func distributeStoredWeights(_ stored: [StoredWeight]) {
        var bySubLayer: [String: [StoredWeight]] = [:]
        for weight in stored {
            let components = weight.name.split(separator: "/").dropLast().map(String.init)
            if let owner = components.first(where: { component in graphLayers.contains { $0.name == component } }) {
                bySubLayer[owner, default: []].append(weight)
            } else if let holder = graphLayers.first(where: { layer in
                layer.nested.map { nested in components.contains { nested.containsLayer(named: $0) } } ?? false
            }) {
                bySubLayer[holder.name, default: []].append(weight)
            }
        }
        attachStoredWeights(bySubLayer)
    }

    /// Whether this model or a model nested in it, at any depth, has a layer of this name.
    func containsLayer(named name: String) -> Bool {
        graphLayers.contains { $0.name == name || $0.nested?.containsLayer(named: name) == true }
    }
}

/// How stored arrays are matched to the weights a config implies: by variable name
/// (`kernel`, `moving_mean`) first, then by position for arrays whose names follow another
/// scheme (Keras 1's `dense_1_W`, Keras 3's `vars/0`). Summaries, verification and the
/// runtime all use this one rule.
enum WeightPairing {
    /// `pairs[i]` is the index of the stored array for `expected[i]`; `namedPairs` holds the
    /// pairs made by name alone; `unmatched` the stored arrays no expected weight took.
    static func pair(expected: [WeightSpec], stored: [StoredWeight]) -> (pairs: [Int?], namedPairs: [Int?], unmatched: [Int]) {
        var unmatched = Array(stored.indices)
        var pairs: [Int?] = Array(repeating: nil, count: expected.count)
        for (index, spec) in expected.enumerated() {
            let name = spec.name.split(separator: "/").last.map(String.init) ?? spec.name
            if let position = unmatched.firstIndex(where: { stored[$0].shortName == name }) {
                pairs[index] = unmatched.remove(at: position)
            }
        }
        let namedPairs = pairs
        let expectedNames = Set(expected.map(\.name))
        for index in expected.indices where pairs[index] == nil {
            if let position = unmatched.firstIndex(where: { !expectedNames.contains(stored[$0].shortName) }) {
                pairs[index] = unmatched.remove(at: position)
            }
        }
        return (pairs, namedPairs, unmatched)
    }
}
