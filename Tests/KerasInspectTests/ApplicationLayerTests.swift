import Testing
@testable import KerasInspect

/// The keras.applications layer kinds claim a class only when the file says it is Keras' own:
/// the module a `.keras` archive records, and exactly that class's config keys. What Keras
/// computes with them is checked on the `applications_layers` fixture (FixtureModelTests,
/// InferenceTests).
@Suite struct ApplicationLayerTests {
    private func parse(_ layer: String) throws -> Model {
        let input = #"{"class_name": "InputLayer", "name": "a", "config": {"name": "a", "batch_shape": [null, 4]}, "inbound_nodes": []}"#
        let text = #"{"class_name": "Functional", "config": {"name": "m", "layers": [\#(input), \#(layer)], "input_layers": [["a", 0, 0]], "output_layers": [["s", 0, 0]]}}"#
        var model = try ModelConfigParser(catalog: .standard).parseModel(try JSONParser.parse(text))
        try ShapeInference.infer(&model)
        return model
    }

    private func layerScale(module: String?, extraKey: String = "") -> String {
        let moduleEntry = module.map { #""module": "\#($0)", "registered_name": "LayerScale", "# } ?? ""
        return #"{\#(moduleEntry)"class_name": "LayerScale", "name": "s", "config": {"name": "s", "trainable": true, "init_values": 1e-06, "projection_dim": 4\#(extraKey)}, "inbound_nodes": [[["a", 0, 0, {}]]]}"#
    }

    @Test func kerasModulesAndLegacyFilesAreRecognised() throws {
        for module in [nil, "keras.src.applications.convnext", "tf_keras.src.applications.convnext"] {
            let model = try parse(layerScale(module: module))
            #expect(model.unverifiedLayerNames.isEmpty, "module \(module ?? "none")")
            #expect(model.layer(named: "s")?.kind is LayerScaleLayer)
        }
    }

    @Test func sameClassNameFromAnotherModuleStaysUnverified() throws {
        let model = try parse(layerScale(module: "my_project.blocks"))
        #expect(model.unverifiedLayerNames == ["s"])
        #expect(model.layer(named: "s")?.kind == nil)
    }

    @Test func otherConfigKeysAreRefusedInOneLine() throws {
        let model = try parse(layerScale(module: nil, extraKey: #", "axis": 1"#))
        #expect(model.unverifiedLayerNames == ["s"])
        let problems = model.layer(named: "s")?.problems ?? []
        #expect(problems.count == 1)
        #expect(problems.first?.contains("unexpected axis") == true, "\(problems)")
    }

    @Test func registeredPackagePrefixIsDropped() {
        #expect(LayerConfig.pythonClassName("Custom>CustomScaleLayer") == "CustomScaleLayer")
        #expect(LayerConfig.pythonClassName("Dense") == "Dense")
    }
}
