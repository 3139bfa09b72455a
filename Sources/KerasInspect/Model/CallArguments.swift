/// One argument of a call as the config stores it.
public indirect enum CallArgument: Sendable, Equatable {
    /// A tensor: its position in `Node.inputs`, and the dtype Keras 3 recorded for it.
    case tensor(position: Int, dtype: String?)
    /// A value written inline: a number, a string, `null`, a slice object.
    case constant(JSONValue)
    /// A list (a Python list or tuple) of arguments.
    case list([CallArgument])
    /// A structure with tensors inside that kerasinspect does not take apart.
    case opaque(JSONValue)

    public var constantValue: JSONValue? {
        if case .constant(let value) = self { return value }
        return nil
    }
}

/// The arguments of one call in Keras' order: positional ones, then keywords.
public struct CallArguments: Sendable {
    public var positional: [CallArgument] = []
    public var keywords: [(name: String, value: CallArgument)] = []

    public init(positional: [CallArgument] = [], keywords: [(name: String, value: CallArgument)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    /// Every tensor position the arguments hold, in order.
    var tensorPositions: [Int] {
        func positions(_ argument: CallArgument) -> [Int] {
            switch argument {
            case .tensor(let position, _): return [position]
            case .list(let items): return items.flatMap(positions)
            case .constant, .opaque: return []
            }
        }
        return (positional + keywords.map(\.value)).flatMap(positions)
    }
}
