/// `x + y`, `x - y`, `x * y`, `x / y` and `x != y` of tensors and scalars, with NumPy
/// broadcasting (Keras 3 `keras.ops.numpy`; tf-keras `tf.math` and `tf.__operators__`).
extension OperationCatalog {
    static let elementwiseOperations: [OperationEntry] = [
        binary(.add, keras3: ["Add"], tf: ["math.add", "__operators__.add", "math.add_v2"]),
        binary(.subtract, keras3: ["Subtract"], tf: ["math.subtract", "__operators__.subtract"]),
        binary(.multiply, keras3: ["Multiply"], tf: ["math.multiply", "__operators__.multiply"]),
        binary(.divide, keras3: ["Divide", "TrueDivide"], tf: ["math.divide", "math.truediv", "__operators__.truediv"]),
        binary(.notEqual, keras3: ["NotEqual"], tf: ["math.not_equal", "__operators__.ne"]),
    ]

    private static func binary(_ function: BinaryOperation.Function, keras3: [String], tf: [String]) -> OperationEntry {
        OperationEntry(keras3ClassNames: keras3, tfFunctions: tf) { call in try BinaryOperation(function, call: call) }
    }
}

struct BinaryOperation: OperationKind {
    enum Function: Sendable {
        case add, subtract, multiply, divide, notEqual
    }

    let function: Function
    let x: Operand
    let y: Operand

    init(_ function: Function, call: OperationCall) throws {
        try call.checkConfig(reads: [])
        let bound = try call.bind(["x", "y"])
        self.function = function
        x = try Operand(call.required(bound, "x"), in: call)
        y = try Operand(call.required(bound, "y"), in: call)
        // NumPy adds booleans as a logical or (True + True is True), not as 0/1 numbers.
        if function == .add, x.isBoolean || y.isBoolean {
            throw RuntimeError("\(call.name) of boolean tensors is a logical or, which kerasinspect does not implement")
        }
    }

    func outputShape(_ inputs: [TensorShape]) throws -> TensorShape {
        try Self.broadcast(x.shape(inputs), y.shape(inputs))
    }

    /// Keras' `broadcast_shapes`: aligned at the last axis; 1 takes the other size, an unknown
    /// size gives way to a known one other than 1.
    static func broadcast(_ a: TensorShape, _ b: TensorShape) throws -> TensorShape {
        let rank = max(a.rank, b.rank)
        let a = Array(repeating: 1, count: rank - a.rank) + a.dims
        let b = Array(repeating: 1, count: rank - b.rank) + b.dims
        var result: [Int?] = []
        for (first, second) in zip(a, b) {
            if first == 1 {
                result.append(second)
            } else if first == nil {
                result.append(second == 1 ? nil : second)
            } else if second == 1 || second == nil || second == first {
                result.append(first)
            } else {
                throw RuntimeError("shapes \(TensorShape(a)) and \(TensorShape(b)) do not broadcast")
            }
        }
        return TensorShape(result)
    }

    func forward(_ inputs: [Tensor]) throws -> Tensor {
        let a = try x.value(inputs)
        let b = try y.value(inputs)
        switch function {
        case .add: return try Kernels.broadcast(a, b, +)
        case .subtract: return try Kernels.broadcast(a, b, -)
        case .multiply: return try Kernels.broadcast(a, b, *)
        case .divide: return try Kernels.broadcast(a, b, /)
        case .notEqual: return try Kernels.broadcast(a, b) { $0 != $1 ? 1 : 0 }
        }
    }
}
