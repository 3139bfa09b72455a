/// A pattern in a model that is legal but usually a mistake, with the layers involved and
/// one sentence on why it matters.
public struct LintWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        case batchNormBeforeSoftmax = "batchnorm-before-softmax"
        case dropoutAtOutput = "dropout-at-output"
        case softmaxWithLogitsLoss = "softmax-with-logits-loss"
        case biasBeforeBatchNorm = "bias-before-batchnorm"
        case unconnectedLayer = "unconnected-layer"
        case duplicateLayerName = "duplicate-layer-name"
        case doubleActivation = "double-activation"
    }

    public var rule: Rule
    public var layers: [String]
    public var message: String

    public var description: String { "[\(rule.rawValue)] \(layers.joined(separator: ", ")): \(message)" }
}

/// Finds the patterns of `LintWarning.Rule` in a model file.
public enum Linter {
    public static func lint(_ file: ModelFile) -> [LintWarning] {
        // Without an architecture there is no graph to judge.
        guard !file.model.structureUnknown else { return [] }
        var warnings: [LintWarning] = []
        lint(file.model, prefix: "", isTopLevel: true, into: &warnings)
        warnings += logitsLossWarnings(file)
        warnings += duplicateNameWarnings(file.model)
        return warnings
    }

    /// The activation a layer applies: an Activation layer's function, the `activation` of
    /// Dense/Conv-like layers, or the implied one of ReLU/Softmax/ELU/LeakyReLU layers.
    static func activation(of layer: Layer) -> String? {
        switch layer.className {
        case "Activation": return layer.config.activation("activation")
        case "Softmax": return "softmax"
        case "ReLU": return "relu"
        case "ELU": return "elu"
        case "LeakyReLU": return "leaky_relu"
        default:
            guard layer.config.has("activation") else { return nil }
            let name = layer.config.activation("activation")
            return name == "linear" ? nil : name
        }
    }

    private static func lint(_ model: Model, prefix: String, isTopLevel: Bool, into warnings: inout [LintWarning]) {
        let outputs = Set(model.outputs.map(\.layer))
        let consumersByLayer = model.consumersByLayer()
        for layer in model.layers {
            let label = prefix + layer.name
            if let nested = layer.nested { lint(nested, prefix: label + "/", isTopLevel: false, into: &warnings) }
            let producers = Set(layer.nodes.flatMap(\.inputs).map(\.layer)).compactMap { model.layer(named: $0) }
            let consumers = consumersByLayer[layer.name] ?? []

            // Only a softmax layer reading the normalised values directly: a Dense or convolution
            // with its own softmax after BatchNormalization is an ordinary classifier head.
            if isTopLevel, outputs.contains(layer.name), ["Activation", "Softmax"].contains(layer.className),
               activation(of: layer) == "softmax",
               let bn = producers.first(where: { $0.className == "BatchNormalization" }) {
                warnings.append(LintWarning(rule: .batchNormBeforeSoftmax, layers: [prefix + bn.name, label],
                    message: "normalising right before the output softmax fights the softmax's scale and usually hurts calibration; normalise earlier"))
            }
            if isTopLevel, outputs.contains(layer.name),
               ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout", "GaussianDropout"].contains(layer.className) {
                warnings.append(LintWarning(rule: .dropoutAtOutput, layers: [label],
                    message: "dropout on the model's output randomly zeroes predictions in training and does nothing at inference"))
            }
            if layer.className == "BatchNormalization" {
                for producer in producers where ["Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                                                 "Conv3DTranspose", "DepthwiseConv2D", "SeparableConv2D", "SeparableConv1D"].contains(producer.className)
                    && producer.config.bool("use_bias", "bias", default: true) && activation(of: producer) == nil
                    && consumersByLayer[producer.name]?.count == 1 {
                    warnings.append(LintWarning(rule: .biasBeforeBatchNorm, layers: [prefix + producer.name, label],
                        message: "BatchNormalization subtracts the mean right after, cancelling the bias: use_bias=False saves parameters"))
                }
            }
            // Only a pure activation layer re-applies its producer's activation; two Dense
            // layers with relu each apply it once to different values.
            if ["Activation", "ReLU", "Softmax", "ELU", "LeakyReLU"].contains(layer.className),
               let own = activation(of: layer), own != "linear" {
                for producer in producers where activation(of: producer) == own && layer.nodes.count == 1 && layer.nodes[0].inputs.count == 1 {
                    warnings.append(LintWarning(rule: .doubleActivation, layers: [prefix + producer.name, label],
                        message: "\(own) is applied twice in a row; the second application is redundant or a mistake"))
                }
            }
            if consumers.isEmpty, !outputs.contains(layer.name), !layer.isImplicitInput {
                warnings.append(LintWarning(rule: .unconnectedLayer, layers: [label],
                    message: "no model output depends on this layer, so its computation and weights are wasted"))
            }
        }
    }

    /// A softmax output trained with `from_logits=True`: the loss applies softmax again.
    private static func logitsLossWarnings(_ file: ModelFile) -> [LintWarning] {
        guard let loss = file.trainingConfig?["loss"] else { return [] }
        let outputs = file.model.outputs.map(\.layer)
        var lossByOutput: [String: JSONValue] = [:]
        switch loss {
        case .array(let losses):
            for (output, value) in zip(outputs, losses) { lossByOutput[output] = value }
        case .object(let object) where object["class_name"] == nil && object["config"] == nil:
            for (key, value) in object.entries { lossByOutput[key] = value }
        default:
            for output in outputs { lossByOutput[output] = loss }
        }
        return outputs.compactMap { output -> LintWarning? in
            guard let layer = file.model.layer(named: output), activation(of: layer) == "softmax",
                  lossByOutput[output]?["config"]?["from_logits"]?.boolValue == true else { return nil }
            return LintWarning(rule: .softmaxWithLogitsLoss, layers: [output],
                message: "the output already applies softmax but the loss was configured with from_logits=True, so softmax is applied twice in training")
        }
    }

    /// The same layer name at different nesting levels makes weights and reports ambiguous.
    private static func duplicateNameWarnings(_ model: Model) -> [LintWarning] {
        var places: [String: [String]] = [:]
        func visit(_ model: Model, prefix: String) {
            for layer in model.layers {
                places[layer.name, default: []].append(prefix + layer.name)
                if let nested = layer.nested { visit(nested, prefix: prefix + layer.name + "/") }
            }
        }
        visit(model, prefix: "")
        return places.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map { name, labels in
            LintWarning(rule: .duplicateLayerName, layers: labels,
                message: "several layers are named '\(name)'; weight paths and tools that key by name can mix them up")
        }
    }
}
