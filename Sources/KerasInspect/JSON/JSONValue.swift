/// A parsed JSON document. Objects keep their key order so that configs can be shown
/// and re-serialised the way Keras wrote them.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The value as an integer when it is a finite whole number that fits in `Int`.
    public var intValue: Int? {
        guard case .number(let number) = self, number.isFinite, number.rounded() == number,
              abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// A JSON object: key–value pairs in insertion order.
///
/// Keras config objects hold a few dozen keys at most, so a linear search is faster than
/// hashing, and parsing allocates one array per object instead of a dictionary.
public struct JSONObject: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> JSONValue? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// Appends without looking for an existing key; the parser uses it for speed and keeps
    /// the first occurrence of a repeated key reachable through the subscript.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }

    /// Equal when both hold the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.entries.allSatisfy { entry in rhs[entry.key] == entry.value }
    }
}
