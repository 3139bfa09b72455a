import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `diff` on the pairs `fixtures/diff_pairs.py` saved with Keras 3, against what Keras says
/// differs (`fixtures/diff/expected.json`: get_config, count_params, output shapes, weights).
@Suite("Diff")
struct DiffTests {
    static let folder = FixturePaths.fixtures.appendingPathComponent("diff")
    static let variants = ["renamed", "activation", "units", "retrained"]

    static func expected() throws -> JSONValue {
        try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("expected.json"))))
    }

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func diff(_ variant: String) throws -> ModelDiff {
        try ModelDiff.compare(ModelFile.open(path("base.keras3.h5")), ModelFile.open(path("\(variant).keras3.h5")))
    }

    @Test func sameModelInTwoFormatsShowsNoDifference() throws {
        let same = try Self.expected()["base"]?["same_as"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(same.count == 2)
        let diff = try ModelDiff.compare(ModelFile.open(Self.path(same[0])), ModelFile.open(Self.path(same[1])))
        #expect(diff.isSame, "\(diff.changes)")
        #expect(diff.valuesCompared)
        let result = CLI.run(["diff", Self.path(same[0]), Self.path(same[1])])
        #expect(result.exitCode == ExitCode.success)
        #expect(result.standardOutput.hasSuffix("no differences\n"))
    }

    @Test(arguments: variants)
    func changesAreWhatKerasSays(_ variant: String) throws {
        let document = try Self.expected()
        let truth = try #require(document[variant])
        let changes = try Self.diff(variant).changes
        func of(_ kind: ModelDiff.Change.Kind) -> [ModelDiff.Change] { changes.filter { $0.kind == kind } }

        let renamed = (truth["renamed"]?.arrayValue ?? []).map { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        #expect(of(.renamed).map { [$0.old ?? "", $0.new ?? ""] } == renamed)

        let config = (truth["config"]?.arrayValue ?? []).map { entry -> [String] in
            let item = entry.arrayValue ?? []
            return [item[0].stringValue ?? "", item[1].stringValue ?? "",
                    JSONWriter.string(item[2], pretty: false), JSONWriter.string(item[3], pretty: false)]
        }
        #expect(of(.config).map { [$0.subject, $0.field ?? "", $0.old ?? "", $0.new ?? ""] } == config)

        let params = (truth["params"]?.arrayValue ?? []).map { entry -> [String] in
            let item = entry.arrayValue ?? []
            return [item[0].stringValue ?? "", NumberText.grouped(item[1].intValue ?? -1), NumberText.grouped(item[2].intValue ?? -1)]
        }
        #expect(of(.params).map { [$0.subject, $0.old ?? "", $0.new ?? ""] } == params)

        let shape = { (value: JSONValue) in TensorShape(LayerConfig.shapeList(value) ?? []).description }
        let outputShapes = (truth["output_shape"]?.arrayValue ?? []).map { entry -> [String] in
            let item = entry.arrayValue ?? []
            return [item[0].stringValue ?? "", shape(item[1]), shape(item[2])]
        }
        #expect(of(.outputShape).map { [$0.subject, $0.old ?? "", $0.new ?? ""] } == outputShapes)

        let list = { (value: JSONValue) in "\((value.arrayValue ?? []).compactMap(\.intValue))" }
        let weightShapes = (truth["weight_shape"]?.arrayValue ?? []).map { entry -> [String] in
            let item = entry.arrayValue ?? []
            return [item[0].stringValue ?? "", list(item[1]), list(item[2])]
        }
        #expect(of(.weightShape).map { [$0.subject, $0.old ?? "", $0.new ?? ""] } == weightShapes)

        let values = (truth["weight_values"]?.arrayValue ?? []).map { entry in
            (entry.arrayValue?[0].stringValue ?? "", entry.arrayValue?[1].doubleValue ?? -1)
        }
        #expect(of(.weightValues).map(\.subject) == values.map(\.0))
        for (change, (subject, delta)) in zip(of(.weightValues), values) {
            let measured = try #require(change.maxAbsolute)
            #expect(abs(measured - delta) <= 1e-6 * max(1, delta), "\(subject): \(measured) vs Keras \(delta)")
        }

        let totals = (truth["total_params"]?.arrayValue ?? []).compactMap(\.intValue)
        #expect(of(.totalParams).count == (totals[0] == totals[1] ? 0 : 1))
        #expect(of(.added).isEmpty && of(.removed).isEmpty && of(.className).isEmpty)

        let result = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("\(variant).keras3.h5")])
        #expect(result.exitCode == ExitCode.problemsFound)
        #expect(result.standardOutput.split(separator: "\n").count == changes.count + 2)
    }

    /// The exact lines, built from Keras' facts for the pair.
    @Test func textLinesForAChangedActivationAndARename() throws {
        let truth = try Self.expected()
        let field = try #require(truth["activation"]?["config"]?.arrayValue?.first?.arrayValue)
        let activation = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("activation.keras3.h5")])
        #expect(activation.standardOutput == """
            --- \(Self.path("base.keras3.h5"))
            +++ \(Self.path("activation.keras3.h5"))
            ~ \(field[0].stringValue ?? ""): config \(field[1].stringValue ?? "") "\(field[2].stringValue ?? "")" -> "\(field[3].stringValue ?? "")"

            """)
        let pairValue = truth["renamed"]?["renamed"]?.arrayValue?.first?.arrayValue ?? []
        let pair = pairValue.compactMap(\.stringValue)
        try #require(pair.count == 2)
        let renamed = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("renamed.keras3.h5")])
        #expect(renamed.standardOutput.split(separator: "\n").last == "~ \(pair[0]) -> \(pair[1]): renamed")
    }

    @Test func jsonAndMarkdown() throws {
        let result = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("units.keras3.h5"), "--format", "json"])
        #expect(result.exitCode == ExitCode.problemsFound)
        let document = try JSONParser.parse(result.standardOutput)
        #expect(document["same"]?.boolValue == false)
        let kinds = (document["changes"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
        #expect(kinds.contains("weight-shape") && kinds.contains("total-params"))
        let markdown = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("activation.keras3.h5"), "--format", "markdown"])
        #expect(markdown.standardOutput.contains("| ~ | `hidden` | config activation \"relu\" -> \"tanh\" |"))
    }

    @Test func retrainedWeightsWithinAWideToleranceAreTheSame() throws {
        let largest = (try Self.expected()["retrained"]?["weight_values"]?.arrayValue ?? []).compactMap { $0.arrayValue?[1].doubleValue }.max() ?? 0
        let result = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("retrained.keras3.h5"),
                              "--atol", "\(largest * 1.01)", "--rtol", "0"])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)")
    }

    /// `--input`: both models run on Keras' seeded input; the outputs move as far as Keras'.
    @Test(arguments: variants)
    func outputDeltasAreKeras(_ variant: String) throws {
        let document = try Self.expected()
        let truth = try #require(document[variant]?["output_max_abs"]?.doubleValue)
        var diff = try Self.diff(variant)
        let input = try NPY.read(path: Self.path("inputs.npy"))
        try diff.compareOutputs(ModelFile.open(Self.path("base.keras3.h5")), ModelFile.open(Self.path("\(variant).keras3.h5")),
                                inputs: [input])
        let outputs = diff.changes.filter { $0.kind == .output }
        if truth == 0 {
            #expect(outputs.isEmpty)
        } else {
            let change = try #require(outputs.first)
            #expect(abs((change.maxAbsolute ?? -1) - truth) <= 1e-5, "ours \(change.maxAbsolute ?? -1), Keras \(truth)")
        }
        let result = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("\(variant).keras3.h5"), "--input", Self.path("inputs.npy")])
        #expect(result.standardOutput.contains("~ output classifier: differs") == (truth > 0))
    }

    @Test func aMissingFileIsAnError() {
        let result = CLI.run(["diff", Self.path("base.keras3.h5"), Self.path("absent.h5")])
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardError.contains("absent.h5"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }
}
