/// What one operation call computes (Keras 3 `keras.ops` nodes, tf-keras TFOpLambda and
/// SlicingOpLambda layers), bound to that call's constant arguments. Inputs are the call's
/// tensors in `Node.inputs` order.
protocol OperationKind: Sendable {
    func outputShape(_ inputs: [TensorShape]) throws -> TensorShape
    func forward(_ inputs: [Tensor]) throws -> Tensor
}

/// One kind of operation as the two writers name it.
struct OperationEntry: Sendable {
    /// Keras 3 classes of `keras.src.ops` (`Add`, `TrueDivide`).
    var keras3ClassNames: [String]
    /// tf-keras TFOpLambda `function`s (`math.add`, `__operators__.add`).
    var tfFunctions: [String]
    var make: @Sendable (OperationCall) throws -> any OperationKind
}

/// One call of an operation, as `OperationEntry.make` reads it.
struct OperationCall {
    /// `Add` or `math.add`, for messages.
    var name: String
    var arguments: CallArguments
    /// A Keras 3 operation's constructor arguments (`Any`: `axis`, `keepdims`); empty for
    /// tf-keras, which passes everything in the call.
    var config: JSONObject
    /// tf-keras passes every argument in the call (TensorFlow's parameter names); Keras 3
    /// passes tensors in the call and settings to the constructor.
    var isTFKeras: Bool

    /// The arguments by parameter name: positional ones in `parameters` order, keywords by
    /// name. `name` (the TensorFlow op's name) is accepted and ignored: it does not change
    /// values. Anything else is refused.
    func bind(_ parameters: [String]) throws -> [String: CallArgument] {
        guard arguments.positional.count <= parameters.count else {
            throw RuntimeError("\(name) is called with \(arguments.positional.count) positional arguments, kerasinspect reads \(parameters.count)")
        }
        var bound: [String: CallArgument] = [:]
        for (parameter, value) in zip(parameters, arguments.positional) { bound[parameter] = value }
        for (key, value) in arguments.keywords {
            if key == "name" { continue }
            guard parameters.contains(key), bound[key] == nil else {
                throw RuntimeError("\(name) is called with argument \(key), which kerasinspect does not implement")
            }
            bound[key] = value
        }
        return bound
    }

    /// A bound argument that must be present.
    func required(_ bound: [String: CallArgument], _ parameter: String) throws -> CallArgument {
        guard let value = bound[parameter] else { throw RuntimeError("\(name) is called without \(parameter)") }
        return value
    }

    /// A Keras 3 operation's constructor arguments must all be ones the kind reads.
    func checkConfig(reads keys: [String]) throws {
        for (key, value) in config.entries where !keys.contains(key) && !value.isNull {
            throw RuntimeError("\(name) has config \(key)=\(JSONWriter.string(value, pretty: false)), which kerasinspect does not understand")
        }
    }

    /// A constant that is null or absent (the default), or an int / list of ints.
    func axes(_ value: JSONValue?) throws -> [Int]? {
        guard let value, !value.isNull else { return nil }
        if let axis = value.intValue { return [axis] }
        if let list = value.arrayValue {
            let axes = list.compactMap(\.intValue)
            if axes.count == list.count { return axes }
        }
        throw RuntimeError("\(name) has axis \(JSONWriter.string(value, pretty: false)), which kerasinspect does not read")
    }
}

/// Every operation kerasinspect computes, by family (one file each); anything else is refused.
enum OperationCatalog {
    static let entries: [OperationEntry] = elementwiseOperations + reductionOperations + indexingOperations
        + castOperations

    private static let byKeras3Class: [String: OperationEntry] = Dictionary(
        entries.flatMap { entry in entry.keras3ClassNames.map { ($0, entry) } }, uniquingKeysWith: { first, _ in first })
    private static let byTFFunction: [String: OperationEntry] = Dictionary(
        entries.flatMap { entry in entry.tfFunctions.map { ($0, entry) } }, uniquingKeysWith: { first, _ in first })

    /// The operation one call of `layer` computes, or an error saying why it cannot be read.
    static func make(_ layer: Layer, call node: Node) throws -> any OperationKind {
        let name = layer.operationName ?? layer.className
        let entry = layer.isOperationLayer ? byTFFunction[name] : byKeras3Class[name]
        guard let entry else { throw RuntimeError("kerasinspect does not implement the operation \(name)") }
        guard let arguments = node.arguments else {
            throw RuntimeError("the arguments of \(name) are stored in a form kerasinspect does not read")
        }
        var config = layer.config.object
        for key in ["name", "trainable", "dtype", "function"] where layer.isOperationLayer || key == "name" {
            config[key] = nil
        }
        return try entry.make(OperationCall(name: name, arguments: arguments, config: config,
                                                isTFKeras: layer.isOperationLayer))
    }
}

/// A tensor operand, or a scalar written in the call.
enum Operand: Sendable {
    case tensor(position: Int, dtype: String?)
    case scalar(Float)

    init(_ argument: CallArgument, in call: OperationCall) throws {
        switch argument {
        case .tensor(let position, let dtype):
            self = .tensor(position: position, dtype: dtype)
        case .constant(let value):
            if let number = value.doubleValue {
                self = .scalar(Float(number))
            } else if let flag = value.boolValue {
                self = .scalar(flag ? 1 : 0)
            } else {
                throw RuntimeError("\(call.name) has the operand \(JSONWriter.string(value, pretty: false)), which kerasinspect does not read (only tensors and numbers)")
            }
        case .list, .opaque:
            throw RuntimeError("\(call.name) has a list operand, which kerasinspect does not read (only tensors and numbers)")
        }
    }

    func shape(_ inputs: [TensorShape]) throws -> TensorShape {
        switch self {
        case .tensor(let position, _):
            guard position < inputs.count else { throw RuntimeError("operand \(position) is missing") }
            return inputs[position]
        case .scalar:
            return TensorShape([])
        }
    }

    func value(_ inputs: [Tensor]) throws -> Tensor {
        switch self {
        case .tensor(let position, _):
            guard position < inputs.count else { throw RuntimeError("operand \(position) is missing") }
            var tensor = inputs[position]
            tensor.mask = nil  // operations do not carry Keras masks
            return tensor
        case .scalar(let number):
            return Tensor(shape: [], values: [number])
        }
    }

    var isBoolean: Bool {
        if case .tensor(_, let dtype) = self { return dtype == "bool" }
        return false
    }
}
