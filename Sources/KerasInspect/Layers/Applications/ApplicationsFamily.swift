extension LayerCatalog {
    /// Layers defined inside `keras.applications` models rather than `keras.layers`.
    static let applicationsKinds: [any LayerKind.Type] = [
        LayerScaleLayer.self,
        StochasticDepthLayer.self,
        CustomScaleLayer.self,
    ]
}

/// What the application layers share: their class names are common words that other code
/// reuses, so a config is taken for Keras' class only when it holds exactly that class's keys.
/// (`.keras` archives also name the module, which `LayerKind.modules` checks.)
enum ApplicationLayerConfig {
    /// Keys every Keras layer's `get_config` writes, or a first layer's input shape.
    static let baseKeys: Set<String> = ["name", "trainable", "dtype", "batch_input_shape", "batch_shape"]

    /// Where Keras 3, tf-keras and the standalone Keras 2 packages define the class.
    static func modules(_ file: String) -> [String] {
        ["keras.src.applications.\(file)", "tf_keras.src.applications.\(file)",
         "keras.applications.\(file)", "tf_keras.applications.\(file)"]
    }

    /// Throws unless the config has every one of `keys` and nothing beyond them and `baseKeys`.
    static func requireKeys(_ config: LayerConfig, _ keys: Set<String>, module file: String) throws {
        let missing = keys.subtracting(config.object.keys).sorted()
        let extra = Set(config.object.keys).subtracting(keys).subtracting(baseKeys).sorted()
        guard missing.isEmpty, extra.isEmpty else {
            let problems = (missing.isEmpty ? [] : ["missing " + missing.joined(separator: ", ")])
                + (extra.isEmpty ? [] : ["unexpected " + extra.joined(separator: ", ")])
            throw LayerConfigError("not keras.applications.\(file)'s \(config.className) (\(problems.joined(separator: "; ")))")
        }
        config.acknowledge(keys)
    }

    /// The shape of an element-wise operation on two shapes, by the broadcasting rule Keras 3
    /// (`broadcast_shapes`) and TensorFlow share: an unknown dimension takes the other side's
    /// size unless that size is 1.
    static func broadcast(_ a: TensorShape, _ b: TensorShape) throws -> TensorShape {
        let rank = max(a.rank, b.rank)
        let left = Array(repeating: 1, count: rank - a.rank) + a.dims
        let right = Array(repeating: 1, count: rank - b.rank) + b.dims
        let dims = try zip(left, right).map { x, y -> Int? in
            switch (x, y) {
            case (1, _): return y
            case (_, 1): return x
            case (nil, _): return y
            case (_, nil): return x
            default:
                guard x == y else { throw LayerConfigError("shapes \(a) and \(b) do not broadcast") }
                return x
            }
        }
        return TensorShape(dims)
    }
}
