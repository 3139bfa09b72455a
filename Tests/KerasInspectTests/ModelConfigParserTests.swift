import Testing
@testable import KerasInspect

/// Graph mechanics on small hand-made configs: node formats of each generation,
/// reference errors and cycles. Numbers Keras computes are checked in FixtureModelTests.
@Suite struct ModelConfigParserTests {
    private func parse(_ text: String) throws -> Model {
        var model = try ModelConfigParser(catalog: .standard).parseModel(try JSONParser.parse(text))
        try ShapeInference.infer(&model)
        return model
    }

    private func functional(layers: String, inputs: String = #"[["a", 0, 0]]"#, outputs: String) -> String {
        #"{"class_name": "Functional", "config": {"name": "m", "layers": [\#(layers)], "input_layers": \#(inputs), "output_layers": \#(outputs)}}"#
    }

    private let inputA = #"{"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_shape": [null, 4]}, "inbound_nodes": []}"#

    @Test func keras2ListNodesBecomeReferences() throws {
        let dense = #"{"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3}, "inbound_nodes": [[["a", 0, 0, {}]]]}"#
        let model = try parse(functional(layers: inputA + "," + dense, outputs: #"[["d", 0, 0]]"#))
        #expect(model.layer(named: "d")?.nodes.map(\.inputs) == [[TensorRef("a", 0, 0)]])
        #expect(model.outputs == [TensorRef("d", 0, 0)])
    }

    @Test func keras3NodesAndBareOutputTriple() throws {
        let tensor = #"{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["a", 0, 0]}}"#
        // Keras 3 always writes `trainable` and `dtype` for a layer (an operation has neither).
        let dense = #"{"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3, "trainable": true, "dtype": "float32"}, "inbound_nodes": [{"args": [\#(tensor)], "kwargs": {}}]}"#
        let model = try parse(functional(layers: inputA + "," + dense, inputs: #"["a", 0, 0]"#, outputs: #"["d", 0, 0]"#))
        #expect(model.inputs == [TensorRef("a", 0, 0)])
        #expect(model.layer(named: "d")?.nodes.first?.inputs == [TensorRef("a", 0, 0)])
        #expect(model.shape(of: TensorRef("d", 0, 0)) == TensorShape([nil, 3]))
    }

    @Test func tfKerasKeywordTensorsAreInputs() throws {
        let inputB = #"{"class_name": "InputLayer", "name": "b", "config": {"name": "b", "batch_input_shape": [null, 4]}, "inbound_nodes": []}"#
        let add = #"{"class_name": "Add", "name": "s", "config": {"name": "s"}, "inbound_nodes": [[["a", 0, 0, {"value": ["b", 0, 0]}]]]}"#
        let model = try parse(functional(layers: inputA + "," + inputB + "," + add, inputs: #"[["a", 0, 0], ["b", 0, 0]]"#,
                                         outputs: #"[["s", 0, 0]]"#))
        #expect(model.layer(named: "s")?.nodes.first?.inputs == [TensorRef("a", 0, 0), TensorRef("b", 0, 0)])
    }

    @Test func unknownLayerReferenceIsAnError() {
        let dense = #"{"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 3}, "inbound_nodes": [[["ghost", 0, 0, {}]]]}"#
        #expect(throws: KerasInspectError.self) {
            try parse(functional(layers: inputA + "," + dense, outputs: #"[["d", 0, 0]]"#))
        }
    }

    @Test func cycleIsAnErrorNamingTheLayers() throws {
        let first = #"{"class_name": "Dense", "name": "x", "config": {"name": "x", "units": 3}, "inbound_nodes": [[["y", 0, 0, {}]]]}"#
        let second = #"{"class_name": "Dense", "name": "y", "config": {"name": "y", "units": 3}, "inbound_nodes": [[["x", 0, 0, {}]]]}"#
        do {
            _ = try parse(functional(layers: inputA + "," + first + "," + second, outputs: #"[["y", 0, 0]]"#))
            Issue.record("a cyclic graph was accepted")
        } catch let error as KerasInspectError {
            #expect(error.kind == .invalidConfig)
            #expect(error.message.contains("cycle"))
            #expect(error.message.contains("x") && error.message.contains("y"))
        }
    }

    @Test func duplicateLayerNamesAreAnError() {
        let dense = #"{"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 3}, "inbound_nodes": [[["a", 0, 0, {}]]]}"#
        #expect(throws: KerasInspectError.self) {
            try parse(functional(layers: inputA + "," + dense, outputs: #"[["a", 0, 0]]"#))
        }
    }

    @Test func unknownLayerClassStaysInTheGraphUnverified() throws {
        let custom = #"{"class_name": "MyBlock", "name": "c", "config": {"name": "c"}, "inbound_nodes": [[["a", 0, 0, {}]]]}"#
        let model = try parse(functional(layers: inputA + "," + custom, outputs: #"[["c", 0, 0]]"#))
        #expect(model.unverifiedLayerNames == ["c"])
        #expect(model.layer(named: "c")?.displayedOutputShapes == nil)
    }

    @Test func bareListSequentialOfKeras1And2() throws {
        let text = #"{"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "d1", "units": 5, "batch_input_shape": [null, 3]}}, {"class_name": "Dense", "config": {"name": "d2", "units": 2}}]}"#
        let model = try parse(text)
        #expect(model.layers.map(\.name) == ["d1", "d2"])
        #expect(model.graphLayers.first?.isImplicitInput == true)
        #expect(model.shape(of: TensorRef("d2", 0, 0)) == TensorShape([nil, 2]))
    }

    @Test func modelsNestedTooDeeplyAreRejected() throws {
        var text = #"{"class_name": "Dense", "config": {"name": "leaf", "units": 1}}"#
        for level in 0..<70 {
            text = #"{"class_name": "Sequential", "config": {"name": "s\#(level)", "layers": [\#(text)]}}"#
        }
        #expect(throws: KerasInspectError.self) { try parse(text) }
    }
}
