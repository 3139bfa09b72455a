/// `any` over axes (Keras 3 `Any`; tf-keras `tf.math.reduce_any`): 1 where some value along
/// the axes is not zero, else 0.
extension OperationCatalog {
    static let reductionOperations: [OperationEntry] = [
        OperationEntry(keras3ClassNames: ["Any"], tfFunctions: ["math.reduce_any"]) { call in try AnyOperation(call: call) },
    ]
}

struct AnyOperation: OperationKind {
    let input: Operand
    /// `nil`: every axis.
    let axes: [Int]?
    let keepDimensions: Bool

    init(call: OperationCall) throws {
        if !call.isTFKeras {
            // Keras 3: `Any(axis, keepdims)` called on the tensor.
            try call.checkConfig(reads: ["axis", "keepdims"])
            let bound = try call.bind(["x"])
            input = try Operand(call.required(bound, "x"), in: call)
            axes = try call.axes(call.config["axis"])
            keepDimensions = call.config["keepdims"]?.boolValue ?? false
        } else {
            let bound = try call.bind(["input_tensor", "axis", "keepdims"])
            input = try Operand(call.required(bound, "input_tensor"), in: call)
            axes = try call.axes(bound["axis"]?.constantValue)
            keepDimensions = bound["keepdims"]?.constantValue?.boolValue ?? false
        }
        guard case .tensor = input else { throw RuntimeError("\(call.name) of a constant is not read by kerasinspect") }
    }

    /// The axes made positive, checked, without repeats.
    private func resolved(rank: Int) throws -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let result = try axes.map { axis -> Int in
            let value = axis < 0 ? axis + rank : axis
            guard (0..<rank).contains(value) else { throw RuntimeError("axis \(axis) is out of range for rank \(rank)") }
            return value
        }
        return Array(Set(result)).sorted()
    }

    func outputShape(_ inputs: [TensorShape]) throws -> TensorShape {
        let shape = try input.shape(inputs)
        let reduced = try resolved(rank: shape.rank)
        var dims: [Int?] = []
        for (axis, dim) in shape.dims.enumerated() {
            if reduced.contains(axis) {
                if keepDimensions { dims.append(1) }
            } else {
                dims.append(dim)
            }
        }
        return TensorShape(dims)
    }

    func forward(_ inputs: [Tensor]) throws -> Tensor {
        let tensor = try input.value(inputs)
        let reduced = try resolved(rank: tensor.rank)
        var kept = tensor.shape
        for axis in reduced { kept[axis] = 1 }
        var values = [Float](repeating: 0, count: kept.reduce(1, *))
        let targets = Kernels.broadcastIndices(from: kept, to: tensor.shape)
        for (index, value) in tensor.values.enumerated() where value != 0 { values[targets[index]] = 1 }
        let shape = keepDimensions ? kept : tensor.shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
        return Tensor(shape: shape, values: values)
    }
}
