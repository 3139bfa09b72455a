/// A layer's `config` object with typed accessors whose errors name the key.
///
/// Keras generations spell the same setting differently (`units` / `output_dim`,
/// `kernel_size` / `nb_row`+`nb_col`); accessors take several keys and use the first present.
public struct LayerConfig: Sendable {
    public let className: String
    public let object: JSONObject
    /// The Python module `.keras` archives record beside the class (`keras.layers`,
    /// `keras.src.applications.convnext`); `nil` for configs that carry none (`.h5`, JSON).
    public let module: String?

    public init(className: String, object: JSONObject, module: String? = nil) {
        self.className = className
        self.object = object
        self.module = module
    }

    /// The Python class name behind a serialised one: tf-keras writes classes registered
    /// with `register_keras_serializable` as `package>Name` (`Custom>CustomScaleLayer`),
    /// while its summary, like every other file, shows the bare `Name`.
    public static func pythonClassName(_ serialized: String) -> String {
        guard let separator = serialized.lastIndex(of: ">") else { return serialized }
        let bare = serialized[serialized.index(after: separator)...]
        return bare.isEmpty ? serialized : String(bare)
    }

    public subscript(key: String) -> JSONValue? { object[key] }

    public var name: String { object["name"]?.stringValue ?? "" }

    /// The layer's own `trainable` flag (absent means trainable).
    public var trainable: Bool { object["trainable"]?.boolValue ?? true }

    private func first(_ keys: [String]) -> (String, JSONValue)? {
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
        if let format = object["data_format"]?.stringValue { return format == "channels_first" }
        if let ordering = object["dim_ordering"]?.stringValue { return ordering == "th" }
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
            guard let value = object[key], !value.isNull else { continue }
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
