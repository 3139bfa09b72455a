import Foundation
import Testing
@testable import KerasInspect

/// Every config key Keras wrote into any fixture must be understood by the layer's kind:
/// read by its `init`, declared in its `inferenceNeutralConfigKeys`, or shared by every layer
/// (`LayerConfig.isInferenceNeutral`). A key that is none of these could change what Keras
/// computes while kerasinspect ignores it; `run` would refuse such a layer, and this test
/// makes sure no fixture Keras wrote needs that refusal.
@Suite("Config key coverage")
struct ConfigKeyCoverageTests {
    /// A config key no kind understands, with one place it was seen.
    struct Gap: Hashable, CustomStringConvertible {
        let className: String
        let key: String
        var description: String { "\(className).\(key)" }
    }

    /// Unread keys (null values included) of one config, freshly parsed.
    static func gaps(className: String, object: JSONObject, module: String? = nil) -> [Gap] {
        let config = LayerConfig(className: className, object: object, module: module)
        guard (try? LayerCatalog.standard.makeLayer(config)) != nil else { return [] }
        return config.unreadKeys(includingNull: true).map { Gap(className: className, key: $0) }
    }

    static func record(_ gaps: [Gap: String], of what: String) {
        for (gap, place) in gaps.sorted(by: { $0.key.description < $1.key.description }) {
            Issue.record("\(gap) (\(what), e.g. \(place)) is neither read nor declared inference-neutral")
        }
    }

    @Test("keys of single-layer truth tables (shapes and forward)")
    func singleLayerCases() {
        var seen: [Gap: String] = [:]
        var configs = 0
        for layerCase in LayerCase.all() {
            configs += 1
            for gap in Self.gaps(className: layerCase.className, object: layerCase.config) {
                seen[gap] = seen[gap] ?? "\(layerCase.file) \(layerCase.id)"
            }
        }
        for forwardCase in ForwardCase.all() {
            configs += 1
            for gap in Self.gaps(className: forwardCase.className, object: forwardCase.config) {
                seen[gap] = seen[gap] ?? "\(forwardCase.file) \(forwardCase.id)"
            }
        }
        #expect(configs > 500, "expected the truth tables' cases, found \(configs)")
        Self.record(seen, of: "single-layer case")
    }

    static var modelFiles: [URL] {
        var files: [URL] = []
        let models = FixturePaths.fixtures.appendingPathComponent("models")
        for folder in ((try? FileManager.default.contentsOfDirectory(atPath: models.path)) ?? []).sorted() {
            files += FixturePaths.files(in: "models/\(folder)", withSuffix: "")
        }
        files += FixturePaths.files(in: "operations", withSuffix: "")
        files += FixturePaths.files(in: "keras1", withSuffix: "")
        files += FixturePaths.files(in: "forward_cases/models", withSuffix: "")
        return files.filter { url in
            let name = url.lastPathComponent
            return (name.hasSuffix(".h5") || name.hasSuffix(".keras") || name.hasSuffix(".json"))
                && !name.hasSuffix(".report.json") && !name.hasSuffix(".weights.h5")
        }
    }

    @Test("keys of every layer in every fixture model, all formats")
    func fixtureModels() throws {
        var seen: [Gap: String] = [:]
        var layers = 0
        let files = Self.modelFiles
        #expect(files.count > 80, "expected the fixture models, found \(files.count)")
        for url in files {
            guard let file = try? ModelFile.open(url.path) else { continue }
            func walk(_ model: Model) {
                for layer in model.graphLayers {
                    if let nested = layer.nested { walk(nested); continue }
                    guard layer.kind != nil else { continue }
                    layers += 1
                    for gap in Self.gaps(className: layer.className, object: layer.config.object,
                                         module: layer.config.module) {
                        seen[gap] = seen[gap] ?? url.lastPathComponent
                    }
                }
            }
            walk(file.model)
        }
        #expect(layers > 1000, "expected the fixture models' layers, found \(layers)")
        Self.record(seen, of: "fixture model")
    }

    @Test("an unknown key is reported on the layer and run refuses it")
    func unknownKeyRefused() throws {
        let config = LayerConfig(className: "Dense", object: try JSONParser.parse(Array(
            #"{"name": "d", "units": 3, "use_bias": true, "future_option": 2, "later_default": null}"#.utf8)).objectValue!)
        _ = try LayerCatalog.standard.makeLayer(config)
        #expect(config.unreadKeys() == ["future_option"])
        #expect(config.unreadKeys(includingNull: true) == ["future_option", "later_default"])
    }
}
