/// Renders a `ParameterExplanation` as text: one line per layer with the numbers filled
/// in, a short paragraph the first time a layer kind appears, and what the totals mean.
public enum ExplanationTextRenderer {
    public static func render(_ explanation: ParameterExplanation) -> String {
        var lines: [String] = []
        for entry in explanation.entries {
            let indent = String(repeating: "  ", count: entry.depth)
            var line = "\(indent)\(entry.layer) (\(entry.className))  "
            line += equation(entry)
            if let shapes = entry.outputShapes, !shapes.isEmpty {
                line += "   output \(SummaryTextRenderer.shapeText(shapes))"
            }
            lines.append(line)
            let nonTrainable = entry.terms.filter { !$0.trainable }
            if !nonTrainable.isEmpty, nonTrainable.count < entry.terms.count {
                let trainable = entry.terms.filter(\.trainable)
                lines.append(indent + "    trainable: " + trainable.map { "\($0.name) \(grouped($0.count))" }.joined(separator: " + ")
                    + "; non-trainable: " + nonTrainable.map { "\($0.name) \(grouped($0.count))" }.joined(separator: " + ")
                    + (entry.className == "BatchNormalization" ? " (updated from batch statistics, not by gradients)" : ""))
            }
            for note in entry.notes { lines.append(indent + "    (\(note))") }
            if let paragraph = entry.kindExplanation {
                lines += SummaryTextRenderer.wrap(paragraph, width: 92 - indent.count).map { indent + "    " + $0 }
            }
        }
        let totals = explanation.totals
        lines.append("")
        lines.append("Total params \(grouped(totals.total)) = trainable \(grouped(totals.trainable)) + non-trainable \(grouped(totals.nonTrainable)).")
        let footnotes = [
            "Trainable weights are updated by gradient descent; non-trainable ones are not (statistics such as BatchNormalization's moving mean and variance, and the weights of frozen layers). A layer called several times shares its weights and is counted once.",
            "None in a shape is the batch dimension: the number of samples, unknown until data arrives.",
        ] + (explanation.optimizerParameters.map {
            ["The file also stores \(grouped($0)) optimizer values (such as Adam's moment estimates); they are training state, not model parameters, and are not in the total."]
        } ?? [])
        for footnote in footnotes {
            lines += SummaryTextRenderer.wrap(footnote, width: 96)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `kernel 784×10 = 7,840 + bias 10 = 7,850   [= …]`, or `no parameters`.
    static func equation(_ entry: ParameterExplanation.Entry) -> String {
        if entry.terms.isEmpty { return entry.total == 0 ? "no parameters" : "= \(grouped(entry.total))" }
        let parts = entry.terms.map { term -> String in
            let last = term.name.split(separator: "/").last.map(String.init) ?? term.name
            let scope = term.name.contains("/") ? term.name : last
            if term.shape.count <= 1 { return "\(scope) \(grouped(term.count))" }
            return "\(scope) " + term.shape.map(String.init).joined(separator: "×") + " = \(grouped(term.count))"
        }
        var text = parts.joined(separator: " + ")
        if entry.terms.count > 1 || entry.terms.first.map({ $0.shape.count <= 1 }) == true { text += "  = \(grouped(entry.total))" }
        if let formula = entry.formula { text += "   [\(formula)]" }
        return text
    }

    static func grouped(_ value: Int) -> String { SummaryTextRenderer.grouped(value) }
}
