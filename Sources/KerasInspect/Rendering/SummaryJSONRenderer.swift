/// The summary as JSON (`--format json`); the schema is documented in `docs/json.md`.
public enum SummaryJSONRenderer {
    public static func render(_ file: ModelFile, batchSize: Int = 1) -> String {
        JSONWriter.string(document(file, batchSize: batchSize)) + "\n"
    }

    public static func document(_ file: ModelFile, batchSize: Int = 1) -> JSONValue {
        let model = file.model
        let summary = ModelSummary(file, batchSize: batchSize)
        let costs = summary.costs
        let totals = summary.totals
        return .object(JSONObject([
            ("file", .string(file.path)),
            ("format", .string(file.format.rawValue)),
            ("format_description", .string(file.formatDescription)),
            ("keras_version", file.kerasVersion.map(JSONValue.string) ?? .null),
            ("backend", file.backend.map(JSONValue.string) ?? .null),
            ("model", .object(JSONObject([("name", .string(model.name)), ("class_name", .string(model.className))]))),
            ("inputs", .array(model.inputs.map { ref in
                let dtype = model.layer(named: ref.layer)?.config.optionalString("dtype")
                    ?? model.layer(named: ref.layer)?.dtypePolicy ?? "float32"
                return .object(JSONObject([
                    ("name", .string(ref.layer)),
                    ("shape", shapeValue(model.shape(of: ref))),
                    ("dtype", .string(dtype)),
                ]))
            })),
            ("outputs", .array(model.outputs.map { ref in
                .object(JSONObject([("name", .string(ref.layer)), ("shape", shapeValue(model.shape(of: ref)))]))
            })),
            ("layers", .array(layers(of: model, enclosingTrainable: true, costs: costs, prefix: ""))),
            ("total_params", number(totals.total)),
            ("trainable_params", number(totals.trainable)),
            ("non_trainable_params", number(totals.nonTrainable)),
            ("total_bytes", number(totals.totalBytes)),
            ("optimizer_params", file.optimizerParameterCount.map(number) ?? .null),
            ("estimates", .object(JSONObject([
                ("batch_size", number(costs.batchSize)),
                ("macs", number(costs.totalMultiplyAccumulates)),
                ("flops", number(costs.totalFLOPs)),
                ("parameter_bytes", number(costs.parameterBytes)),
                ("activation_bytes", number(costs.activationBytes)),
                ("total_bytes", number(costs.estimatedTotalBytes)),
                ("uncounted_layers", .array(costs.uncountedLayers.map(JSONValue.string))),
            ]))),
            ("unverified_layers", .array(model.unverifiedLayerNames.map(JSONValue.string))),
            ("warnings", .array(summary.warnings.map(JSONValue.string))),
        ]))
    }

    private static func layers(of model: Model, enclosingTrainable: Bool, costs: CostReport, prefix: String) -> [JSONValue] {
        let modelTrainable = enclosingTrainable && model.trainable
        let consumersByLayer = model.consumersByLayer()
        return model.summaryLayers.map { layer in
            let cost = costs.cost(of: prefix + layer.name)
            let count = layer.parameterCount(enclosingTrainable: modelTrainable)
            let layerTrainable = modelTrainable && layer.trainable
            var object = JSONObject([
                ("name", .string(layer.name)),
                ("class_name", .string(layer.className)),
                ("output_shape", outputShapeValue(layer.displayedOutputShapes)),
                ("params", number(count.total)),
                ("trainable_params", number(count.trainable)),
                ("non_trainable_params", number(count.nonTrainable)),
                ("trainable", .bool(layer.trainable)),
                ("verified", .bool(layer.isVerified)),
                ("macs", cost?.multiplyAccumulates.map(number) ?? .null),
                ("activation_bytes", cost?.activationBytes.map(number) ?? .null),
                ("inbound", .array(layer.nodes.map { node in
                    .array(node.inputs.map { .array([.string($0.layer), number($0.node), number($0.tensor)]) })
                })),
                ("outbound", .array((consumersByLayer[layer.name] ?? []).map { .array([.string($0.layer), number($0.node)]) })),
                ("weights", .array(layer.nested == nil ? layer.weights.map { weight in
                    .object(JSONObject([
                        ("name", .string(weight.name)),
                        ("shape", .array(weight.shape.map(number))),
                        ("dtype", .string(weight.dtype)),
                        ("trainable", .bool(weight.createdTrainable && layerTrainable)),
                    ]))
                } : [])),
            ])
            if let nested = layer.nested {
                object["layers"] = .array(layers(of: nested, enclosingTrainable: layerTrainable, costs: costs,
                                                 prefix: prefix + layer.name + "/"))
            }
            if !layer.problems.isEmpty {
                object["problems"] = .array(layer.problems.map(JSONValue.string))
            }
            if layer.isOperation { object["operation"] = .bool(true) }
            if !layer.unhonouredConfigKeys.isEmpty {
                object["unhonoured_config_keys"] = .array(layer.unhonouredConfigKeys.map(JSONValue.string))
            }
            return .object(object)
        }
    }

    private static func number(_ value: Int) -> JSONValue { .number(Double(value)) }

    static func shapeValue(_ shape: TensorShape?) -> JSONValue {
        guard let shape else { return .null }
        return .array(shape.dims.map { $0.map(number) ?? .null })
    }

    /// One shape, or a list of shapes for layers with several outputs, or `null`.
    static func outputShapeValue(_ shapes: [TensorShape]?) -> JSONValue {
        guard let shapes, !shapes.isEmpty else { return .null }
        if shapes.count == 1 { return shapeValue(shapes[0]) }
        return .array(shapes.map(shapeValue))
    }
}
