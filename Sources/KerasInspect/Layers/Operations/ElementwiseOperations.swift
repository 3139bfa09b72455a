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
    /// Keras 3 (not tf-keras, whose TFOpLambda calls `tf.add`): see `takesBiasAddShortcut`.
    let keras3: Bool

    init(_ function: Function, call: OperationCall) throws {
        try call.checkConfig(reads: [])
        let bound = try call.bind(["x", "y"])
        self.function = function
        keras3 = !call.isTFKeras
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

    /// Keras 3's TensorFlow `add(x1, x2)` (keras/src/backend/tensorflow/numpy.py) calls
    /// `tf.nn.bias_add` when `x2` squeezes to one axis as long as `x1`'s axis 1 or last axis,
    /// adding it along that axis (the last when both fit). Whether it does depends on the
    /// batch size; true when that gives another result than broadcasting: (3, 3) + (3, 1).
    static func takesBiasAddShortcut(_ x1: [Int], _ x2: [Int]) -> Bool {
        let long = x2.enumerated().filter { $0.element > 1 }
        guard long.count == 1, x1.count > 1, let length = long.first?.element, let last = x1.last,
              length == x1[1] || length == last else { return false }
        let biasAxis = last == length ? x1.count - 1 : 1
        let broadcastAxis = x1.count - x2.count + long[0].offset
        return x2.count > x1.count || broadcastAxis != biasAxis
    }

    func forward(_ inputs: [Tensor]) throws -> Tensor {
        let a = try x.value(inputs)
        let b = try y.value(inputs)
        if function == .add, keras3, case .tensor = x, case .tensor = y, Self.takesBiasAddShortcut(a.shape, b.shape) {
            throw RuntimeError("Keras 3's TensorFlow add computes \(a.shape) + \(b.shape) as a bias add along one axis, "
                + "not by broadcasting; kerasinspect does not reproduce that (another batch size avoids it)")
        }
        switch function {
        case .add: return try Kernels.broadcast(a, b, +)
        case .subtract: return try Kernels.broadcast(a, b, -)
        case .multiply: return try Kernels.broadcast(a, b, *)
        case .divide: return try Kernels.broadcast(a, b, /)
        case .notEqual: return try Kernels.broadcast(a, b) { $0 != $1 ? 1 : 0 }
        }
    }
}
