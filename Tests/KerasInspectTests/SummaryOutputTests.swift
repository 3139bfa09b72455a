import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// The two renderings of a summary, checked against what Keras reported for the same files.
@Suite struct SummaryOutputTests {
    private func json(_ path: String) throws -> JSONValue {
        let result = CLI.run([path, "--format", "json"])
        #expect(result.exitCode == 0)
        return try JSONParser.parse(result.standardOutput)
    }

    @Test(arguments: FixtureFile.all())
    func jsonOutputMatchesKeras(_ fixture: FixtureFile) throws {
        let document = try json(fixture.file.path)
        for key in ["total_params", "trainable_params", "non_trainable_params"] {
            #expect(document[key]?.intValue == fixture.report[key]?.intValue, "\(key)")
        }
        #expect(document["model"]?["name"]?.stringValue == fixture.report["name"]?.stringValue)
        let reportLayers = fixture.report["layers"]?.arrayValue ?? []
        // The report lists `model.layers`; Keras 3's summary also prints its operations
        // (OperationTests checks those rows against Keras' printed summary).
        let listed = Set(reportLayers.compactMap { $0["name"]?.stringValue })
        let layers = (document["layers"]?.arrayValue ?? []).filter {
            $0["operation"]?.boolValue != true || listed.contains($0["name"]?.stringValue ?? "")
        }
        #expect(layers.map { $0["name"] } == reportLayers.map { $0["name"] })
        for (layer, reportLayer) in zip(layers, reportLayers) {
            #expect(layer["params"] == reportLayer["params"])
            // The last call's shape, as Keras' summary shows it.
            let lastShape = reportLayer["output_shapes"]?.arrayValue?.last
            #expect(layer["output_shape"] == lastShape, "output shape of \(layer["name"]?.stringValue ?? "")")
            if layer["layers"] == nil {
                let shapes = (layer["weights"]?.arrayValue ?? []).map { $0["shape"] }
                let reportShapes = (reportLayer["weights"]?.arrayValue ?? []).map { $0["shape"] }
                #expect(Set(shapes.map { JSONWriter.string($0 ?? .null, pretty: false) }) == Set(reportShapes.map { JSONWriter.string($0 ?? .null, pretty: false) }))
            }
        }
        let inputShapes = (document["inputs"]?.arrayValue ?? []).map { $0["shape"] }
        #expect(inputShapes == (fixture.report["inputs"]?.arrayValue ?? []).map { $0["shape"] })
        let outputShapes = (document["outputs"]?.arrayValue ?? []).map { $0["shape"] }
        #expect(outputShapes == (fixture.report["outputs"]?.arrayValue ?? []).map { $0["shape"] })
    }

    /// The question behind model (b): which of BatchNormalization's four vectors train.
    @Test func batchNormalizationVectorsInJSON() throws {
        let report = try #require(FixtureFile.all().first { $0.model == "bn_dense_1120" && $0.file.pathExtension == "h5" })
        let document = try json(report.file.path)
        for (layer, reportLayer) in zip(document["layers"]?.arrayValue ?? [], report.report["layers"]?.arrayValue ?? [])
        where layer["class_name"]?.stringValue == "BatchNormalization" {
            let weights = layer["weights"]?.arrayValue ?? []
            let reportWeights = reportLayer["weights"]?.arrayValue ?? []
            #expect(weights.count == 4)
            #expect(weights.map { $0["shape"] } == reportWeights.map { $0["shape"] })
            #expect(weights.map { $0["trainable"] } == reportWeights.map { $0["trainable"] })
        }
    }

    @Test func expandNestedListsSubLayersUnderTheirModel() throws {
        let fixture = try #require(FixtureFile.all().first { $0.model == "nested_models" && $0.file.pathExtension == "h5" })
        let text = CLI.run([fixture.file.path, "--expand-nested"]).standardOutput
        let plain = CLI.run([fixture.file.path]).standardOutput
        for nested in fixture.report["layers"]?.arrayValue ?? [] {
            for inner in nested["layers"]?.arrayValue ?? [] {
                let name = try #require(inner["name"]?.stringValue)
                #expect(text.contains("└ \(name)"), "\(name) listed under its model")
                #expect(!plain.contains("└ \(name)"))
            }
        }
    }

    @Test func textTotalsUseThousandsSeparatorsAndKerasByteUnits() throws {
        let fixture = try #require(FixtureFile.all().first { $0.model == "bn_dense_1120" && $0.file.pathExtension == "h5" })
        let text = CLI.run([fixture.file.path]).standardOutput
        let total = try #require(fixture.report["total_params"]?.intValue)
        #expect(text.contains(" Total params: \(SummaryTextRenderer.grouped(total)) ("))
        // Keras' own summary text carries the same totals line.
        let kerasSummary = fixture.report["summary"]?.stringValue ?? ""
        let kerasTotalLine = kerasSummary.split(separator: "\n").first { $0.contains("Total params") }.map(String.init) ?? ""
        #expect(text.contains(kerasTotalLine.trimmingCharacters(in: .whitespaces)), "Keras printed: \(kerasTotalLine)")
    }
}

/// Every row Keras' own `model.summary()` printed for a fixture (kept in its report) is a row
/// of ours, in the same order, whatever the file's format: layers, operations, nested models.
@Suite struct SummaryRowTests {
    /// `name (Class)` of each row of a printed summary, in Keras 3's box layout or tf-keras'
    /// underscored one; cells wrapped over several lines are joined back.
    static func rowLabels(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.contains(where: { $0.hasPrefix("┏") }) {
            var rows: [String] = [], cell: [String] = [], inBody = false
            for line in lines {
                if line.hasPrefix("┡") { inBody = true; continue }
                guard inBody else { continue }
                if line.hasPrefix("├") || line.hasPrefix("└") {
                    if !cell.isEmpty { rows.append(cell.joined(separator: " ")) }
                    cell = []
                    if line.hasPrefix("└") { break }
                    continue
                }
                guard line.hasPrefix("│") else { continue }
                let first = line.dropFirst().split(separator: "│", omittingEmptySubsequences: false).first ?? ""
                let trimmed = first.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { cell.append(trimmed) }
            }
            return rows
        }
        // tf-keras: the first column is as wide as the header's "Layer (type)" field, rows are
        // separated by blank lines and long labels are cut mid-word onto the next line.
        guard let header = lines.first(where: { $0.contains("Layer (type)") }),
              let shapeColumn = header.range(of: "Output Shape")?.lowerBound else { return [] }
        let width = header.distance(from: header.startIndex, to: shapeColumn)
        var rows: [String] = [], cell = "", inBody = false
        for line in lines {
            if line.hasPrefix("=") {
                if inBody { if !cell.isEmpty { rows.append(cell) }; break }
                inBody = true
                continue
            }
            guard inBody else { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !cell.isEmpty { rows.append(cell) }
                cell = ""
                continue
            }
            let part = String(line.prefix(width)).trimmingCharacters(in: .whitespaces)
            cell += part
        }
        return rows.map { $0.replacingOccurrences(of: "  ", with: " ") }
    }

    /// Every fixture whose report keeps Keras' printed summary (all but wide_2100_layers,
    /// whose 2,100 rows generate.py does not store).
    static let withSummary = FixtureFile.all().filter { !($0.report["summary"]?.stringValue ?? "").isEmpty }

    @Test func almostEveryFixtureKeepsKerasSummary() {
        #expect(Self.withSummary.count >= FixtureFile.all().count - 4)
    }

    @Test(arguments: withSummary)
    func rowsAreKerasRows(_ fixture: FixtureFile) throws {
        let kerasRows = Self.rowLabels(fixture.report["summary"]?.stringValue ?? "")
        #expect(!kerasRows.isEmpty, "no summary rows in the report")
        let ours = CLI.run([fixture.file.path])
        #expect(ours.exitCode == 0)
        let ourRows = Self.rowLabels(ours.standardOutput)
        // tf-keras cuts a label at its column width: compare each of its rows as a prefix.
        if fixture.writer == "tfkeras" {
            #expect(ourRows.count == kerasRows.count, "\(ourRows) vs \(kerasRows)")
            for (our, keras) in zip(ourRows, kerasRows) {
                #expect(our.replacingOccurrences(of: " ", with: "") == keras.replacingOccurrences(of: " ", with: ""),
                        "\(our) vs \(keras)")
            }
        } else {
            #expect(ourRows == kerasRows)
        }
    }
}
