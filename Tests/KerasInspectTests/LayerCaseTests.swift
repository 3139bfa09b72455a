import Foundation
import Testing
@testable import KerasInspect

/// Single-layer truth tables written by `fixtures/layer_cases/*.py` from real Keras:
/// each case is a layer config, the input shapes it was built on, and the output shapes
/// and weights Keras produced. The catalog must reproduce every one.
struct LayerCase: Sendable, CustomTestStringConvertible {
    let file: String
    let generator: String
    let id: String
    let className: String
    let config: JSONObject
    let inputShapes: [TensorShape]
    let outputShapes: [TensorShape]
    let weights: [(name: String, shape: [Int], trainable: Bool)]
    /// Keras' own error when it refused to build the layer on these inputs; nil for a built case.
    let kerasRefusal: String?

    var testDescription: String { "\(file) \(generator) \(id)" }

    static func all() -> [LayerCase] { load(section: "cases") }

    /// Layers Keras refused to build on the given inputs (a window larger than its input,
    /// a crop that empties an axis): we must refuse them too.
    static func rejected() -> [LayerCase] { load(section: "rejected") }

    private static func load(section: String) -> [LayerCase] {
        var cases: [LayerCase] = []
        for url in FixturePaths.files(in: "layer_cases", withSuffix: ".json") {
            guard let data = try? Data(contentsOf: url),
                  let document = try? JSONParser.parse([UInt8](data)) else {
                Issue.record("cannot parse \(url.lastPathComponent)")
                continue
            }
            let generator = document["generator"]?.stringValue ?? "?"
            for entry in document[section]?.arrayValue ?? [] {
                let shapes: (JSONValue?) -> [TensorShape] = { value in
                    (value?.arrayValue ?? []).map { TensorShape(LayerConfig.shapeList($0) ?? []) }
                }
                let weights = (entry["weights"]?.arrayValue ?? []).map { weight in
                    (name: weight["name"]?.stringValue ?? "",
                     shape: (weight["shape"]?.arrayValue ?? []).compactMap(\.intValue),
                     trainable: weight["trainable"]?.boolValue ?? true)
                }
                cases.append(LayerCase(
                    file: url.lastPathComponent,
                    generator: generator,
                    id: entry["id"]?.stringValue ?? "?",
                    className: entry["class_name"]?.stringValue ?? "",
                    config: entry["config"]?.objectValue ?? JSONObject(),
                    inputShapes: shapes(entry["input_shapes"]),
                    outputShapes: shapes(entry["output_shapes"]),
                    weights: weights,
                    kerasRefusal: entry["reason"]?.stringValue))
            }
        }
        return cases
    }
}

@Suite struct LayerCaseTests {
    @Test func truthTablesExist() {
        #expect(LayerCase.all().count > 0)
    }

    @Test(arguments: LayerCase.all())
    func layerMatchesKeras(_ layerCase: LayerCase) throws {
        let config = LayerConfig(className: layerCase.className, object: layerCase.config)
        let kind = try #require(try LayerCatalog.standard.makeLayer(config), "\(layerCase.className) is not in the catalog")
        let outputs = try kind.outputShapes(for: layerCase.inputShapes)
        #expect(outputs == layerCase.outputShapes, "output shapes")
        let weights = try kind.expectedWeights(for: layerCase.inputShapes)
        #expect(weights.map(\.shape) == layerCase.weights.map(\.shape), "weight shapes")
        // Generators record names relative to the layer (`lstm_cell/kernel`, `query/bias`);
        // scopes differ between Keras generations, the variable's own name does not.
        let lastComponent = { (name: String) in name.split(separator: "/").last.map(String.init) ?? name }
        #expect(weights.map { lastComponent($0.name) } == layerCase.weights.map { lastComponent($0.name) }, "weight names")
        #expect(weights.map(\.trainable) == layerCase.weights.map(\.trainable), "trainable flags")
    }

    @Test func refusalsExist() {
        #expect(LayerCase.rejected().count > 0)
    }

    @Test(arguments: LayerCase.rejected())
    func layerKerasRefusesIsRefused(_ layerCase: LayerCase) throws {
        let config = LayerConfig(className: layerCase.className, object: layerCase.config)
        let kind = try #require(try LayerCatalog.standard.makeLayer(config), "\(layerCase.className) is not in the catalog")
        #expect(throws: LayerConfigError.self, "Keras said: \(layerCase.kerasRefusal ?? "?")") {
            _ = try kind.outputShapes(for: layerCase.inputShapes)
            _ = try kind.expectedWeights(for: layerCase.inputShapes)
        }
    }
}
