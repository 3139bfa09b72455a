import Synchronization

/// A layer's `config` object with typed accessors whose errors name the key.
///
/// Keras generations spell the same setting differently (`units` / `output_dim`,
/// `kernel_size` / `nb_row`+`nb_col`); accessors take several keys and use the first present.
///
/// Every accessor records the keys it was asked for, so once a layer kind has parsed its
/// config, the keys it never looked at are known (`unreadKeys`): a key Keras writes that
/// kerasinspect does not understand is reported, never silently ignored.
public struct LayerConfig: Sendable {
    public let className: String
    public let object: JSONObject
    /// The Python module `.keras` archives record beside the class (`keras.layers`,
    /// `keras.src.applications.convnext`); `nil` for configs that carry none (`.h5`, JSON).
    public let module: String?
    /// Shared with the configs made from this one (a wrapped layer, an RNN cell).
    let keyLog: ConfigKeyLog
    /// Where this config sits inside the top-level one (`layer.` for a wrapped layer).
    let keyPrefix: String

    public init(className: String, object: JSONObject, module: String? = nil) {
        self.init(className: className, object: object, module: module, keyLog: ConfigKeyLog(), keyPrefix: "")
    }

    private init(className: String, object: JSONObject, module: String?, keyLog: ConfigKeyLog, keyPrefix: String) {
        self.className = className
        self.object = object
        self.module = module
        self.keyLog = keyLog
        self.keyPrefix = keyPrefix
        keyLog.register(prefix: keyPrefix, object: object)
    }

    /// A config made from a value inside this one (`path`: where, such as `layer` or
    /// `cell.cells[1]`), whose reads count as reads of this config's keys.
    public func child(_ path: String, className: String, object: JSONObject, module: String? = nil) -> LayerConfig {
        LayerConfig(className: className, object: object, module: module, keyLog: keyLog,
                    keyPrefix: keyPrefix + path + ".")
    }

    /// The same keys under another reading (Keras 1 `Merge` as `Concatenate`): reads count here.
    public func reinterpreted(as className: String, object: JSONObject) -> LayerConfig {
        LayerConfig(className: className, object: object, module: module, keyLog: keyLog, keyPrefix: keyPrefix)
    }

    /// Records keys as understood without reading them: those a kind declares inference-neutral.
    public func acknowledge<Keys: Sequence<String>>(_ keys: Keys) {
        keyLog.markRead(keys.map { keyPrefix + $0 })
    }

    /// Records `key` as understood when it is absent or holds `value`, the setting the kind
    /// implements; any other value stays unread, so it is reported and `run` refuses.
    public func acknowledge(_ key: String, ifEqualTo value: JSONValue) {
        if object[key].map({ $0 == value }) ?? true { keyLog.markRead([keyPrefix + key]) }
    }

    /// Keys of this config and of every config made from it that no accessor asked for and
    /// that no list calls inference-neutral, as dotted paths (`layer.foo`), sorted. Keys whose
    /// value is `null` (Keras' default) are left out unless `includingNull`.
    public func unreadKeys(includingNull: Bool = false) -> [String] {
        keyLog.unread(includingNull: includingNull)
    }

    /// Keys no layer's inference depends on: identity, the shape a first layer declares (read
    /// by the model parser), how weights were initialised, regularised and constrained in
    /// training, and `dtype` (read by `ComputePrecision`).
    public static func isInferenceNeutral(_ key: String) -> Bool {
        inferenceNeutralKeys.contains(key)
            || ["_initializer", "_regularizer", "_constraint"].contains { key.hasSuffix($0) }
    }

    static let inferenceNeutralKeys: Set<String> = [
        "name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape", "input_dim",
        "activity_regularizer", "seed",
        // Keras 1/2 shorthand for a first layer's input shape, which they also write as
        // batch_input_shape; the dtype of the input Keras 1 creates for a first layer.
        "input_length", "input_dtype",
        // Keras 3 InputLayer: whether the model may be called without this input.
        "optional",
        // Training-only dropout of recurrent and attention layers, and how an RNN is executed
        // (the same function unrolled or not, fused or per gate).
        "dropout", "recurrent_dropout", "dropout_W", "dropout_U", "implementation", "unroll",
        // Initialisation choices (LSTM's forget-gate bias starts at 1).
        "unit_forget_bias", "forget_bias_init", "beta_init", "gamma_init",
        // Keras 1 spellings of the same training-only settings.
        "init", "inner_init", "W_regularizer", "b_regularizer", "U_regularizer", "W_constraint", "b_constraint",
        "U_constraint", "gamma_regularizer", "beta_regularizer",
    ]

    /// Keys understood only at the value that leaves the computation as every kind implements
    /// it; another value (a stateful RNN, time-major input, a quantized kernel) is reported.
    static let defaultOnlyKeys: [String: JSONValue] = [
        "quantization_config": .null, "sparse": .bool(false), "ragged": .bool(false),
        "stateful": .bool(false), "time_major": .bool(false), "groups": .number(1),
    ]

    /// The Python class name behind a serialised one: tf-keras writes classes registered
    /// with `register_keras_serializable` as `package>Name` (`Custom>CustomScaleLayer`),
    /// while its summary, like every other file, shows the bare `Name`.
    public static func pythonClassName(_ serialized: String) -> String {
        guard let separator = serialized.lastIndex(of: ">") else { return serialized }
        let bare = serialized[serialized.index(after: separator)...]
        return bare.isEmpty ? serialized : String(bare)
    }

    public subscript(key: String) -> JSONValue? {
        keyLog.markRead([keyPrefix + key])
        return object[key]
    }

    public var name: String { object["name"]?.stringValue ?? "" }

    /// The layer's own `trainable` flag (absent means trainable).
    public var trainable: Bool { object["trainable"]?.boolValue ?? true }

    private func first(_ keys: [String]) -> (String, JSONValue)? {
        keyLog.markRead(keys.map { keyPrefix + $0 })
        for key in keys {
            if let value = object[key], !value.isNull { return (key, value) }
        }
        return nil
    }

    public func has(_ keys: String...) -> Bool { first(keys) != nil }

    public func int(_ keys: String..., default defaultValue: Int? = nil) throws -> Int {
        guard let (key, value) = first(keys) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError("missing '\(keys[0])'")
        }
        if let int = value.intValue { return int }
        if let array = value.arrayValue, array.count == 1, let int = array[0].intValue { return int }
        throw LayerConfigError("'\(key)' is not an integer")
    }

    public func optionalInt(_ keys: String...) -> Int? {
        guard let (_, value) = first(keys) else { return nil }
        return value.intValue
    }

    public func double(_ keys: String..., default defaultValue: Double) -> Double {
        first(keys)?.1.doubleValue ?? defaultValue
    }

    public func bool(_ keys: String..., default defaultValue: Bool) -> Bool {
        guard let (_, value) = first(keys) else { return defaultValue }
        if let bool = value.boolValue { return bool }
        if let int = value.intValue { return int != 0 }
        return defaultValue
    }

    public func string(_ keys: String..., default defaultValue: String) -> String {
        first(keys)?.1.stringValue ?? defaultValue
    }

    public func optionalString(_ keys: String...) -> String? {
        first(keys)?.1.stringValue
    }

    /// An integer or a list of integers (`kernel_size: 3` or `[3, 3]`), as `count` values.
    public func ints(_ keys: String..., count: Int, default defaultValue: [Int]? = nil) throws -> [Int] {
        guard let (key, value) = first(keys) else {
            if let defaultValue { return defaultValue }
            throw LayerConfigError("missing '\(keys[0])'")
        }
        return try Self.intList(value, key: key, count: count)
    }

    /// A list of integers of any length (a `Reshape` target, a `Permute` order).
    public func intList(_ keys: String...) throws -> [Int] {
        guard let (key, value) = first(keys) else { throw LayerConfigError("missing '\(keys[0])'") }
        if let int = value.intValue { return [int] }
        guard let array = Self.unwrapTuple(value)?.arrayValue else {
            throw LayerConfigError("'\(key)' is not a list of integers")
        }
        return try array.map {
            guard let int = $0.intValue else { throw LayerConfigError("'\(key)' is not a list of integers") }
            return int
        }
    }

    /// A list of optional integers (a shape with `null` dimensions).
    public func shape(_ keys: String...) -> [Int?]? {
        guard let (_, value) = first(keys) else { return nil }
        return Self.shapeList(value)
    }

    static func shapeList(_ value: JSONValue) -> [Int?]? {
        guard let array = unwrapTuple(value)?.arrayValue else { return nil }
        var dims: [Int?] = []
        for element in array {
            if element.isNull { dims.append(nil); continue }
            guard let int = element.intValue, int >= 0 else { return nil }
            dims.append(int)
        }
        return dims
    }

    static func intList(_ value: JSONValue, key: String, count: Int) throws -> [Int] {
        if let int = value.intValue { return Array(repeating: int, count: count) }
        guard let array = unwrapTuple(value)?.arrayValue else {
            throw LayerConfigError("'\(key)' is not an integer or a list of integers")
        }
        let ints = array.compactMap(\.intValue)
        guard ints.count == array.count else { throw LayerConfigError("'\(key)' is not a list of integers") }
        if ints.count == 1 && count > 1 { return Array(repeating: ints[0], count: count) }
        guard ints.count == count else {
            throw LayerConfigError("'\(key)' has \(ints.count) values, expected \(count)")
        }
        return ints
    }

    /// Keras serialises tuples in some configs as `{"class_name": "__tuple__", "items": [...]}`.
    static func unwrapTuple(_ value: JSONValue) -> JSONValue? {
        if case .array = value { return value }
        if value["class_name"]?.stringValue == "__tuple__", let items = value["items"] { return items }
        return nil
    }

    /// `channels_last` unless the config says otherwise (Keras 1 `dim_ordering: "th"` included).
    public var channelsFirst: Bool {
        if let format = self["data_format"]?.stringValue { return format == "channels_first" }
        if let ordering = self["dim_ordering"]?.stringValue { return ordering == "th" }
        return false
    }

    /// An activation name from either a plain string or a serialised function object.
    public func activation(_ keys: String..., default defaultValue: String = "linear") -> String {
        guard let (_, value) = first(keys) else { return defaultValue }
        if let string = value.stringValue { return string }
        if let name = value["config"]?.stringValue { return name }
        if let name = value["config"]?["name"]?.stringValue { return name }
        if let name = value["class_name"]?.stringValue { return name }
        return defaultValue
    }
}

extension LayerConfig {
    /// Keras 3 configs carry a `DTypePolicy` object as `dtype`; Keras 2 configs a string
    /// (or a `Policy` object under mixed precision). Weight names differ between the two
    /// for a few layers (DepthwiseConv2D's `kernel` / `depthwise_kernel`).
    public var isKeras3: Bool {
        object["dtype"]?["class_name"]?.stringValue?.hasSuffix("DTypePolicy") == true
    }

    /// An axis or a list of axes (`axis: -1`, `axis: [1, 2]`).
    public func axes(_ keys: String..., default defaultValue: [Int]) throws -> [Int] {
        for key in keys {
            guard let value = self[key], !value.isNull else { continue }
            if let int = value.intValue { return [int] }
            guard let array = Self.unwrapTuple(value)?.arrayValue else {
                throw LayerConfigError("'\(key)' is not an axis or a list of axes")
            }
            let ints = array.compactMap(\.intValue)
            guard ints.count == array.count else { throw LayerConfigError("'\(key)' is not a list of axes") }
            return ints
        }
        return defaultValue
    }
}

/// Which keys of a layer's config (and of the configs made from it) were read.
final class ConfigKeyLog: Sendable {
    private struct State {
        var read: Set<String> = []
        /// Every registered config's keys as dotted paths, with their values.
        var keys: [(path: String, value: JSONValue)] = []
    }

    private let state = Mutex(State())

    func register(prefix: String, object: JSONObject) {
        state.withLock { state in
            for (key, value) in object.entries { state.keys.append((prefix + key, value)) }
        }
    }

    func markRead(_ paths: [String]) {
        state.withLock { state in state.read.formUnion(paths) }
    }

    func unread(includingNull: Bool) -> [String] {
        state.withLock { state in
            state.keys.compactMap { path, value in
                let key = path.split(separator: ".").last.map(String.init) ?? path
                guard !state.read.contains(path), !LayerConfig.isInferenceNeutral(key),
                      LayerConfig.defaultOnlyKeys[key] != value,
                      includingNull || !value.isNull else { return nil }
                return path
            }
        }.sorted()
    }
}
