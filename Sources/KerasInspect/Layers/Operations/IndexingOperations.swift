/// `x[key]` with slices, integers, `None` (a new axis of 1) and one Ellipsis (Keras 3
/// `GetItem`; tf-keras `SlicingOpLambda` of `__operators__.getitem`). Tensor indices are refused.
extension OperationCatalog {
    static let indexingOperations: [OperationEntry] = [
        OperationEntry(keras3ClassNames: ["GetItem"], tfFunctions: ["__operators__.getitem"]) { call in
            try GetItemOperation(call: call)
        },
    ]
}

struct GetItemOperation: OperationKind {
    enum Index: Sendable, Equatable {
        case slice(start: Int?, stop: Int?, step: Int?)
        case integer(Int)
        case newAxis
        case ellipsis
    }

    let input: Operand
    let key: [Index]

    init(call: OperationCall) throws {
        try call.checkConfig(reads: [])
        let bound = try call.bind(call.isTFKeras ? ["tensor", "slice_spec"] : ["x", "key"])
        input = try Operand(call.required(bound, call.isTFKeras ? "tensor" : "x"), in: call)
        guard case .tensor = input else { throw RuntimeError("\(call.name) of a constant is not read by kerasinspect") }
        let spec = try call.required(bound, call.isTFKeras ? "slice_spec" : "key")
        // A tuple key is a list; anything else is a single index.
        let items: [CallArgument]
        if case .list(let list) = spec { items = list } else { items = [spec] }
        key = try items.map { try Self.index($0, call: call) }
        guard key.filter({ $0 == .ellipsis }).count <= 1 else { throw RuntimeError("\(call.name) has two Ellipsis") }
    }

    /// Keras 3 writes `{"class_name": "__slice__", "config": {start, stop, step}}` and
    /// `{"class_name": "__ellipsis__"}`; tf-keras writes bare `{start, stop, step}` objects.
    private static func index(_ argument: CallArgument, call: OperationCall) throws -> Index {
        guard let value = argument.constantValue else {
            throw RuntimeError("\(call.name) has an index kerasinspect does not read (a tensor or a list)")
        }
        if value.isNull { return .newAxis }
        if let integer = value.intValue { return .integer(integer) }
        if let object = value.objectValue {
            let className = object["class_name"]?.stringValue
            if className == "__ellipsis__" { return .ellipsis }
            let fields = className == "__slice__" ? value["config"]?.objectValue : (className == nil ? object : nil)
            if let fields, Set(fields.keys).isSubset(of: ["start", "stop", "step"]) {
                func bound(_ key: String) throws -> Int? {
                    guard let item = fields[key], !item.isNull else { return nil }
                    guard let number = item.intValue else { throw RuntimeError("\(call.name) has slice \(key) \(JSONWriter.string(item, pretty: false))") }
                    return number
                }
                let step = try bound("step")
                guard step != 0 else { throw RuntimeError("\(call.name) has a slice step of 0") }
                return .slice(start: try bound("start"), stop: try bound("stop"), step: step)
            }
        }
        throw RuntimeError("\(call.name) has the index \(JSONWriter.string(value, pretty: false)), which kerasinspect does not read")
    }

    /// Python's `slice.indices(length)`: the clamped start and the step, and how many items.
    static func sliceRange(start: Int?, stop: Int?, step: Int?, length: Int) -> (start: Int, step: Int, count: Int) {
        let step = step ?? 1
        let lower = step < 0 ? -1 : 0
        let upper = step < 0 ? length - 1 : length
        func clamp(_ value: Int?, default fallback: Int) -> Int {
            guard let value else { return fallback }
            return value < 0 ? max(value + length, lower) : min(value, upper)
        }
        let first = clamp(start, default: step < 0 ? upper : lower)
        let end = clamp(stop, default: step < 0 ? lower : upper)
        let count = step > 0 ? max(0, (end - first + step - 1) / step) : max(0, (first - end - step - 1) / -step)
        return (first, step, count)
    }

    /// The key with its Ellipsis (implicit at the end when absent) expanded into full slices
    /// for the axes no other index consumes, as Keras' `GetItem.compute_output_spec` does.
    private func expandedKey(rank: Int) throws -> [Index] {
        var key = self.key
        if !key.contains(.ellipsis) { key.append(.ellipsis) }
        let consuming = key.filter { $0 != .newAxis && $0 != .ellipsis }.count
        guard consuming <= rank else { throw RuntimeError("the key has \(consuming) indices for a tensor of rank \(rank)") }
        let position = key.firstIndex(of: .ellipsis)!
        key.replaceSubrange(position...position, with: Array(repeating: .slice(start: nil, stop: nil, step: nil),
                                                                count: rank - consuming))
        return key
    }

    func outputShape(_ inputs: [TensorShape]) throws -> TensorShape {
        let shape = try input.shape(inputs)
        var axis = 0
        var dims: [Int?] = []
        for index in try expandedKey(rank: shape.rank) {
            switch index {
            case .newAxis:
                dims.append(1)
            case .ellipsis:
                break
            case .integer(let value):
                if let length = shape.dims[axis], !(-length..<length).contains(value) {
                    throw RuntimeError("index \(value) is out of range for axis \(axis) of \(shape)")
                }
                axis += 1
            case .slice(let start, let stop, let step):
                dims.append(shape.dims[axis].map { Self.sliceRange(start: start, stop: stop, step: step, length: $0).count })
                axis += 1
            }
        }
        return TensorShape(dims)
    }

    func forward(_ inputs: [Tensor]) throws -> Tensor {
        let tensor = try input.value(inputs)
        // Per input axis: the first index read and the stride between reads; and which
        // output axis walks it (`nil` for an integer index, which fixes it).
        var starts = [Int](repeating: 0, count: tensor.rank)
        var steps = [Int](repeating: 0, count: tensor.rank)
        var outputShape: [Int] = []
        var walkedAxes: [Int?] = []
        var axis = 0
        for index in try expandedKey(rank: tensor.rank) {
            switch index {
            case .newAxis:
                outputShape.append(1)
                walkedAxes.append(nil)
            case .ellipsis:
                break
            case .integer(let value):
                let length = tensor.shape[axis]
                guard (-length..<length).contains(value) else {
                    throw RuntimeError("index \(value) is out of range for axis \(axis) of \(tensor.shape)")
                }
                starts[axis] = value < 0 ? value + length : value
                axis += 1
            case .slice(let start, let stop, let step):
                let range = Self.sliceRange(start: start, stop: stop, step: step, length: tensor.shape[axis])
                starts[axis] = range.start
                steps[axis] = range.step
                outputShape.append(range.count)
                walkedAxes.append(axis)
                axis += 1
            }
        }
        let strides = Kernels.strides(tensor.shape)
        let base = zip(starts, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let outputStrides = walkedAxes.map { walked in walked.map { steps[$0] * strides[$0] } ?? 0 }
        return Tensor(shape: outputShape, values: Kernels.gather(tensor.values, from: base, strides: outputStrides, shape: outputShape))
    }
}
