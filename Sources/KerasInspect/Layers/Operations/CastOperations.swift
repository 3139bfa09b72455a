/// `cast` to another dtype (Keras 3 `Cast`; tf-keras `tf.cast`). Values are carried as
/// Float32: a cast to bool gives 0/1, to an integer type drops the fraction (toward zero, as
/// NumPy and TensorFlow do; narrower integer types, which wrap, are refused), to float32
/// keeps the value.
extension OperationCatalog {
    static let castOperations: [OperationEntry] = [
        OperationEntry(keras3ClassNames: ["Cast"], tfFunctions: ["cast"]) { call in try CastOperation(call: call) },
    ]

    /// Keras 3 operations whose config holds a `dtype` (the target type), which every layer's
    /// config holds too: Keras 3's `.h5` tells them apart from layers by that name alone.
    static let keras3OperationsWithDType: Set<String> = ["Cast"]
}

struct CastOperation: OperationKind {
    enum Target: Sendable {
        case float32, boolean, integer
    }

    let input: Operand
    let target: Target

    init(call: OperationCall) throws {
        let dtype: JSONValue?
        if call.isTFKeras {
            let bound = try call.bind(["x", "dtype"])
            input = try Operand(call.required(bound, "x"), in: call)
            dtype = bound["dtype"]?.constantValue
        } else {
            try call.checkConfig(reads: ["dtype"])
            let bound = try call.bind(["x"])
            input = try Operand(call.required(bound, "x"), in: call)
            dtype = call.config["dtype"]
        }
        switch dtype?.stringValue {
        case "float32": target = .float32
        case "bool": target = .boolean
        case "int32", "int64": target = .integer
        default:
            // float16, bfloat16 and float64 would round differently from Keras' result.
            throw RuntimeError("\(call.name) to \(dtype.map { JSONWriter.string($0, pretty: false) } ?? "no dtype") is not implemented by kerasinspect")
        }
    }

    func outputShape(_ inputs: [TensorShape]) throws -> TensorShape {
        try input.shape(inputs)
    }

    func forward(_ inputs: [Tensor]) throws -> Tensor {
        let tensor = try input.value(inputs)
        switch target {
        case .float32: return tensor
        case .boolean: return tensor.map { $0 != 0 ? 1 : 0 }
        case .integer: return tensor.map { $0.rounded(.towardZero) }
        }
    }
}
