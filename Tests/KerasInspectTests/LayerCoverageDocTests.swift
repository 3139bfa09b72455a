import Foundation
import Testing
@testable import KerasInspect

/// `docs/layers.md` is generated from the catalog and the fixtures, so it cannot drift:
/// this test fails when it is stale. Re-record with `KERASINSPECT_RECORD=1 swift test --filter LayerCoverage`.
@Suite struct LayerCoverageDocTests {
    static let documentURL = FixturePaths.repositoryRoot.appendingPathComponent("docs/layers.md")

    /// Class name → number of single-layer shape cases, of forward (inference) cases, and the
    /// fixture models (per writer) using it.
    static func coverage() -> (cases: [String: Int], forward: [String: Int], models: [String: Set<String>]) {
        var cases: [String: Int] = [:]
        for layerCase in LayerCase.all() { cases[layerCase.className, default: 0] += 1 }
        var forward: [String: Int] = [:]
        for forwardCase in ForwardCase.all() { forward[forwardCase.className, default: 0] += 1 }
        var models: [String: Set<String>] = [:]
        func visit(_ layers: [JSONValue], model: String) {
            for layer in layers {
                if let className = layer["class_name"]?.stringValue { models[className, default: []].insert(model) }
                visit(layer["layers"]?.arrayValue ?? [], model: model)
            }
        }
        for fixture in FixtureFile.all() {
            visit(fixture.report["layers"]?.arrayValue ?? [], model: fixture.model)
        }
        for keras1Case in Keras1Tests.cases {
            visit(keras1Case.report["layers"]?.arrayValue ?? [], model: keras1Case.file.deletingPathExtension().lastPathComponent)
        }
        return (cases, forward, models)
    }

    static func render() -> String {
        let (cases, forward, models) = coverage()
        var lines = [
            "# Layer catalog",
            "",
            "Generated from `LayerCatalog.families` and the fixtures by `LayerCoverageDocTests`;",
            "do not edit by hand (`KERASINSPECT_RECORD=1 swift test --filter LayerCoverage`).",
            "",
            "Every kind below knows its config, its output shape and the weights it owns (so its",
            "param count). *Cases* counts single-layer shape truth tables from Keras 3 and tf-keras",
            "(`fixtures/layer_cases/`); *Runs* counts single-layer inference truth tables",
            "(`fixtures/forward_cases/`: inputs, weights and the outputs Keras computed), 0 meaning",
            "`kerasinspect run` has no tested forward pass for the class; *Models* names fixture models",
            "that contain the class, each also run end to end against Keras' outputs (`keras1_*`:",
            "Keras 1.2.2 layout written with h5py, see `fixtures/keras1.py`). A class",
            "outside the catalog still appears in summaries: its params come from the stored arrays,",
            "its output shape is unknown, and it is listed as unverified.",
            "",
        ]
        for family in LayerCatalog.families {
            lines.append("## \(family.name)")
            lines.append("")
            lines.append("| Class | Kind | Cases | Runs | Models |")
            lines.append("|---|---|---|---|---|")
            for kind in family.kinds {
                for className in kind.classNames {
                    let modelNames = (models[className] ?? []).sorted()
                    let modelText = modelNames.isEmpty ? "—" : modelNames.prefix(3).joined(separator: ", ")
                        + (modelNames.count > 3 ? " +\(modelNames.count - 3)" : "")
                    lines.append("| \(className) | `\(kind)` | \(cases[className] ?? 0) | \(forward[className] ?? 0) | \(modelText) |")
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    @Test func documentIsCurrent() throws {
        let rendered = Self.render()
        if ProcessInfo.processInfo.environment["KERASINSPECT_RECORD"] == "1" {
            try rendered.write(to: Self.documentURL, atomically: true, encoding: .utf8)
        }
        let current = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(current == rendered, "docs/layers.md is stale: re-record it")
    }
}
