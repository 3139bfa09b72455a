/// Renders a `ModelSummary` as the table Keras 3 prints: heavy header, one row per layer,
/// `Param #` right-aligned with thousands separators, totals with byte sizes.
public enum SummaryTextRenderer {
    /// Cell widths (content plus one space each side) of Keras 3's two layouts.
    static let sequentialColumns = [38, 29, 17]
    static let functionalColumns = [31, 27, 17, 28]

    /// Optional columns, as torchinfo offers them (`--columns`).
    public enum ExtraColumn: String, CaseIterable, Sendable {
        case inputShape = "input-shape"
        case kernelSize = "kernel"
        case macs = "macs"
        case paramsPercent = "params-percent"
        case trainable = "trainable"

        var title: String {
            switch self {
            case .inputShape: return "Input Shape"
            case .kernelSize: return "Kernel"
            case .macs: return "MACs"
            case .paramsPercent: return "Params %"
            case .trainable: return "Trainable"
            }
        }

        var width: Int {
            switch self {
            case .inputShape: return 27
            case .kernelSize: return 11
            case .macs: return 17
            case .paramsPercent: return 10
            case .trainable: return 11
            }
        }

        var rightAligned: Bool { self == .macs || self == .paramsPercent }

        func value(_ row: ModelSummary.Row, total: Int) -> String {
            switch self {
            case .inputShape: return row.inputShapes.map { $0.isEmpty ? "-" : shapeText($0) } ?? "?"
            case .kernelSize: return row.kernelSize.map { $0.map(String.init).joined(separator: "×") } ?? "-"
            case .macs: return row.multiplyAccumulates.map(grouped) ?? "?"
            case .paramsPercent:
                return total == 0 ? "-" : fixed(Double(row.parameters.total) * 100 / Double(total), decimals: 2) + "%"
            case .trainable: return row.parameters.total == 0 ? "-" : (row.trainable ? "Y" : "N")
            }
        }
    }

    public static func render(_ summary: ModelSummary, extraColumns: [ExtraColumn] = []) -> String {
        var lines: [String] = []
        lines.append(summary.formatLine)
        lines.append("Model: \"\(summary.modelName)\"")
        let withConnections = !summary.isSequentialLike
        var widths = withConnections ? functionalColumns : sequentialColumns
        var header = ["Layer (type)", "Output Shape", "Param #"]
        var rightAligned = [false, false, true]
        if withConnections {
            header.append("Connected to")
            rightAligned.append(false)
        }
        for column in extraColumns {
            header.append(column.title)
            widths.append(column.width)
            rightAligned.append(column.rightAligned)
        }

        lines.append(border("┏", "━", "┳", "┓", widths))
        lines += tableRow(header, widths: widths, rightAligned: rightAligned, separator: "┃")
        lines.append(border("┡", "━", "╇", "┩", widths))
        let rowSeparator = border("├", "─", "┼", "┤", widths)
        for (index, row) in summary.rows.enumerated() {
            var cells = [
                indent(row.depth) + "\(row.name) (\(row.className))",
                shapeText(row.outputShapes),
                grouped(row.parameters.total) + (row.verified ? "" : " *"),
            ]
            if withConnections {
                cells.append(row.connectedTo.isEmpty ? "-" : row.connectedTo.map(\.description).joined(separator: ", "))
            }
            cells += extraColumns.map { $0.value(row, total: summary.totals.total) }
            lines += tableRow(cells, widths: widths, rightAligned: rightAligned, separator: "│")
            if index < summary.rows.count - 1 {
                lines.append(rowSeparator)
            }
        }
        lines.append(border("└", "─", "┴", "┘", widths))
        let totals = summary.totals
        lines.append(" Total params: \(grouped(totals.total)) (\(readableBytes(totals.totalBytes)))")
        lines.append(" Trainable params: \(grouped(totals.trainable)) (\(readableBytes(totals.trainableBytes)))")
        lines.append(" Non-trainable params: \(grouped(totals.nonTrainable)) (\(readableBytes(totals.nonTrainableBytes)))")
        if let optimizer = summary.optimizerParameters {
            lines.append(" Optimizer params: \(grouped(optimizer)) (\(readableBytes(summary.optimizerBytes ?? 0))), not included in Total params")
        }
        if summary.hasArchitecture { lines += costLines(summary.costs) }
        if summary.hasArchitecture, summary.rows.contains(where: { !$0.verified }) {
            lines.append(" * not verified: the layer is outside the catalog or its weights could not be derived")
        }
        for warning in summary.warnings {
            lines.append("warning: \(warning)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The estimates under the totals (formulas in docs/costs.md).
    static func costLines(_ costs: CostReport) -> [String] {
        var macs = " Estimated MACs (batch \(costs.batchSize)): \(grouped(costs.totalMultiplyAccumulates))"
            + " (\(grouped(costs.totalFLOPs)) FLOPs)"
        if !costs.uncountedLayers.isEmpty { macs += ", not counting \(costs.uncountedLayers.count) layer(s) of unknown cost" }
        return [
            macs,
            " Estimated memory: params \(readableBytes(costs.parameterBytes)) + activations \(readableBytes(costs.activationBytes))"
                + " = \(readableBytes(costs.estimatedTotalBytes))",
        ]
    }

    /// `(None, 10)`, a bracketed list for several outputs, `?` when unknown.
    static func shapeText(_ shapes: [TensorShape]?) -> String {
        guard let shapes, !shapes.isEmpty else { return "?" }
        if shapes.count == 1 { return shapes[0].description }
        return "[" + shapes.map(\.description).joined(separator: ", ") + "]"
    }

    private static func indent(_ depth: Int) -> String {
        depth == 0 ? "" : String(repeating: "  ", count: depth - 1) + "└ "
    }

    /// `7850` → `7,850`.
    public static func grouped(_ value: Int) -> String { NumberText.grouped(value) }

    /// Keras' byte sizes: 1024 base, two decimals, `B` to `PB`.
    public static func readableBytes(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB"]
        var size = Double(bytes)
        for unit in units.dropLast() {
            if size / 1024 < 1 { return twoDecimals(size) + " " + unit }
            size /= 1024
        }
        return twoDecimals(size) + " " + units.last!
    }

    static func twoDecimals(_ value: Double) -> String { fixed(value, decimals: 2) }

    public static func fixed(_ value: Double, decimals: Int) -> String { NumberText.fixed(value, decimals: decimals) }

    private static func border(_ left: String, _ fill: String, _ middle: String, _ right: String, _ widths: [Int]) -> String {
        left + widths.map { String(repeating: fill, count: $0) }.joined(separator: middle) + right
    }

    /// One table row, wrapping each cell inside its column.
    private static func tableRow(_ cells: [String], widths: [Int], rightAligned: [Bool], separator: String) -> [String] {
        let wrapped = cells.enumerated().map { index, cell in wrap(cell, width: widths[index] - 2) }
        let height = wrapped.map(\.count).max() ?? 1
        return (0..<height).map { line in
            let parts = wrapped.enumerated().map { index, cellLines -> String in
                let text = line < cellLines.count ? cellLines[line] : ""
                let padding = String(repeating: " ", count: max(0, widths[index] - 2 - text.count))
                return " " + (rightAligned[index] ? padding + text : text + padding) + " "
            }
            return separator + parts.joined(separator: separator) + separator
        }
    }

    /// Breaks text at spaces to fit `width`, splitting words longer than a line. Lengths are
    /// tracked, not recounted: a cell can hold thousands of connections.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0, text.count > width else { return [text] }
        var lines: [String] = []
        var current = ""
        var currentLength = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let wordLength = word.count
            if currentLength > 0 && currentLength + 1 + wordLength <= width {
                current += " " + word
                currentLength += 1 + wordLength
                continue
            }
            if currentLength > 0 { lines.append(current) }
            var remainder = Substring(word)
            var remainderLength = wordLength
            while remainderLength > width {
                lines.append(String(remainder.prefix(width)))
                remainder = remainder.dropFirst(width)
                remainderLength -= width
            }
            current = String(remainder)
            currentLength = remainderLength
        }
        lines.append(current)
        return lines
    }
}
