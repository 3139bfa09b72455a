import KerasInspect

/// `kerasinspect weights FILE [LAYER…] [--stats]`: every stored array with its path, shape,
/// dtype, size and trainability; with `--stats`, value statistics and health flags. Values
/// are read one array at a time, so memory stays near the size of the largest array.
enum WeightsCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json"]], flags: ["stats"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec, allowExtraPositionals: true) { file, parsed in
            let selected = Set(parsed.positionals.dropFirst())
            let listing = WeightListing(file, layers: selected)
            let known = Set(listing.entries.map(\.layer))
            if let missing = selected.first(where: { name in !known.contains(name) && !known.contains { $0.hasPrefix(name + "/") } }),
               !file.model.layers.contains(where: { $0.name == missing }) {
                return .failure("\(file.path): no layer named '\(missing)'")
            }
            let reader = parsed.has("stats") && file.hasStoredWeights ? try StoredWeightReader(file) : nil
            var rows: [(WeightListing.Entry, WeightStatistics?)] = []
            for entry in listing.entries {
                var statistics: WeightStatistics?
                if let reader, let path = entry.weight.path {
                    let stored = StoredWeight(name: entry.weight.name, path: path, shape: entry.weight.shape, dtype: entry.weight.dtype)
                    statistics = WeightStatistics(try reader.values(of: stored))
                }
                rows.append((entry, statistics))
            }
            let output = parsed.value("format") == "json" ? json(rows, file: file) : text(rows, file: file)
            return CommandResult(exitCode: ExitCode.success, standardOutput: output)
        }
    }

    static func flags(_ entry: WeightListing.Entry, _ statistics: WeightStatistics) -> [String] {
        var flags: [String] = []
        if statistics.nanCount > 0 { flags.append("nan") }
        if statistics.positiveInfinityCount + statistics.negativeInfinityCount > 0 { flags.append("inf") }
        if statistics.isConstant { flags.append("dead") }
        if statistics.isExploding { flags.append("exploding") }
        let isVariance = ["moving_variance", "running_std"].contains(entry.weight.name.split(separator: "/").last.map {
            String($0.split(separator: ":").first ?? $0)
        } ?? "")
        if entry.className == "BatchNormalization", isVariance, let minimum = statistics.minimum, minimum <= 0 {
            flags.append("variance<=0")
        }
        return flags
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        if value == 0 { return "0" }
        if abs(value) >= 1e4 || abs(value) < 1e-3 { return scientific(value) }
        return SummaryTextRenderer.fixed(value, decimals: 4)
    }

    static func scientific(_ value: Double) -> String {
        var exponent = 0
        var mantissa = abs(value)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return (value < 0 ? "-" : "") + SummaryTextRenderer.fixed(mantissa, decimals: 3) + "e" + String(exponent)
    }

    static func text(_ rows: [(WeightListing.Entry, WeightStatistics?)], file: ModelFile) -> String {
        var table: [[String]] = [["Layer", "Weight", "Shape", "Dtype", "Bytes", "Trainable", "Path"]]
        let withStats = rows.contains { $0.1 != nil }
        if withStats { table[0] += ["Min", "Max", "Mean", "Std", "NaN", "Inf", "Zeros", "Flags"] }
        for (entry, statistics) in rows {
            var row = [entry.layer, entry.weight.name.split(separator: "/").last.map(String.init) ?? entry.weight.name,
                       TensorShape(entry.weight.shape.map { $0 }).description, entry.weight.dtype,
                       SummaryTextRenderer.grouped(entry.bytes), entry.trainable ? "yes" : "no", entry.weight.path ?? "-"]
            if withStats {
                if let statistics {
                    row += [number(statistics.minimum), number(statistics.maximum), number(statistics.mean),
                            number(statistics.standardDeviation), String(statistics.nanCount),
                            String(statistics.positiveInfinityCount + statistics.negativeInfinityCount),
                            SummaryTextRenderer.fixed(statistics.zeroFraction * 100, decimals: 1) + "%",
                            flags(entry, statistics).joined(separator: ",")]
                } else {
                    row += Array(repeating: "-", count: 8)
                }
            }
            table.append(row)
        }
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        let lines = table.map { row in
            row.enumerated().map { index, cell in cell + String(repeating: " ", count: widths[index] - cell.count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
        let totalBytes = rows.reduce(0) { $0 + $1.0.bytes }
        let totalElements = rows.reduce(0) { $0 + $1.0.elementCount }
        return (lines + ["\(rows.count) arrays, \(SummaryTextRenderer.grouped(totalElements)) values, \(SummaryTextRenderer.readableBytes(totalBytes))"])
            .joined(separator: "\n") + "\n"
    }

    static func json(_ rows: [(WeightListing.Entry, WeightStatistics?)], file: ModelFile) -> String {
        let optionalNumber = { (value: Double?) in value.map(JSONValue.number) ?? .null }
        let document = JSONValue.object(JSONObject([
            ("file", .string(file.path)),
            ("weights", .array(rows.map { entry, statistics in
                var object = JSONObject([
                    ("layer", .string(entry.layer)),
                    ("class_name", .string(entry.className)),
                    ("name", .string(entry.weight.name)),
                    ("path", entry.weight.path.map(JSONValue.string) ?? .null),
                    ("shape", .array(entry.weight.shape.map { .number(Double($0)) })),
                    ("dtype", .string(entry.weight.dtype)),
                    ("bytes", .number(Double(entry.bytes))),
                    ("trainable", .bool(entry.trainable)),
                ])
                if let statistics {
                    object["stats"] = .object(JSONObject([
                        ("min", optionalNumber(statistics.minimum)), ("max", optionalNumber(statistics.maximum)),
                        ("mean", optionalNumber(statistics.mean)), ("std", optionalNumber(statistics.standardDeviation)),
                        ("nan", .number(Double(statistics.nanCount))),
                        ("pos_inf", .number(Double(statistics.positiveInfinityCount))),
                        ("neg_inf", .number(Double(statistics.negativeInfinityCount))),
                        ("zero_fraction", .number(statistics.zeroFraction)),
                        ("flags", .array(flags(entry, statistics).map(JSONValue.string))),
                    ]))
                }
                return .object(object)
            })),
        ]))
        return JSONWriter.string(document) + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
