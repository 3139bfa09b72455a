import Foundation
import Testing
@testable import KerasInspect

/// Forward passes that single-layer truth tables cannot state directly.
@Suite struct GeneralForwardTests {
    /// Keras 1's `Merge` cannot be built by any installed Keras, so its modes are checked
    /// against the Keras 3 layers Keras 2 split it into, on the inputs and outputs Keras 3
    /// recorded in `general.keras3.json`: a Keras 1 Merge config (keys as Keras 1.2.2 wrote
    /// them, as in fixtures/keras1/keras1_functional_merge.h5) given the same inputs must give
    /// the same outputs. `sum` and `concat` also run end to end in that Keras 1 fixture.
    /// `cos` is Keras 1's cosine, `a·b / max(√(a·a · b·b), 1e-7)`, which Keras 3's
    /// `Dot(normalize=True)` equals away from zero vectors.
    static let merges: [(mode: String, caseID: String, concatAxis: Int, dotAxes: JSONValue)] = [
        ("sum", "add_three", -1, .number(-1)),
        ("mul", "multiply_three", -1, .number(-1)),
        ("ave", "average_three", -1, .number(-1)),
        ("max", "maximum", -1, .number(-1)),
        ("concat", "concatenate_last", -1, .number(-1)),
        ("concat", "concatenate_axis1", 1, .number(-1)),
        ("dot", "dot_rank2", -1, .number(-1)),
        ("dot", "dot_rank3_axes_2_1", -1, .array([.number(2), .number(1)])),
        ("cos", "dot_normalize", -1, .array([.number(1), .number(1)])),
    ]

    @Test(arguments: merges.indices)
    func keras1MergeMatchesKeras3(_ index: Int) throws {
        let merge = Self.merges[index]
        let truth = try #require(ForwardCase.all().first { $0.file == "general.keras3.json" && $0.id == merge.caseID },
                                 "no Keras 3 case \(merge.caseID)")
        var object = JSONObject()
        object["name"] = .string("merge_1")
        object["trainable"] = .bool(true)
        object["mode"] = .string(merge.mode)
        object["mode_type"] = .string("raw")
        object["concat_axis"] = .number(Double(merge.concatAxis))
        object["dot_axes"] = merge.dotAxes
        object["output_shape"] = .null
        object["arguments"] = .object(JSONObject())
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: "Merge", object: object)))
        let outputs = try kind.forward(truth.inputs, weights: [])
        try #require(outputs.count == 1)
        #expect(outputs[0].shape == truth.outputs[0].shape, "\(merge.mode): shape")
        let (maxError, close) = closeness(outputs[0], truth.outputs[0], atol: 1e-4, rtol: 1e-4)
        #expect(close, "\(merge.mode) against \(merge.caseID): max abs error \(maxError)")
        // The declared output shape agrees with the computed one.
        let declared = try kind.outputShapes(for: truth.inputs.map { TensorShape([nil] + $0.shape.dropFirst().map { $0 }) })
        #expect(declared.first?.dims.dropFirst().map { $0 } == outputs[0].shape.dropFirst().map { $0 })
    }

    /// A Lambda's function is Python; running it must fail with a message that says so.
    @Test func lambdaRefusesToRun() throws {
        var object = JSONObject()
        object["name"] = .string("lambda")
        object["function"] = .array([.string("4wEAAAAAAAAA"), .null, .null])
        object["function_type"] = .string("lambda")
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: "Lambda", object: object)))
        #expect {
            _ = try kind.forward([Tensor(zeros: [1, 2])], weights: [])
        } throws: { error in
            "\(error)".contains("Python bytecode") && "\(error)".contains("never executes")
        }
    }

    /// InputLayer passes its tensor through.
    @Test func inputLayerIsIdentity() throws {
        var object = JSONObject()
        object["name"] = .string("input")
        object["batch_shape"] = .array([.null, .number(3)])
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: "InputLayer", object: object)))
        let input = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(try kind.forward([input], weights: []) == [input])
    }
}
