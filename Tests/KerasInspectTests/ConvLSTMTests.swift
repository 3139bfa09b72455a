import Testing
@testable import KerasInspect

/// What ConvLSTM refuses rather than computing something Keras would not: masks (Keras' RNN
/// would keep states per masked step; kerasinspect has no such path for image states), a
/// wrong number of initial states, and running a stateful layer (state carried between batches).
@Suite struct ConvLSTMTests {
    static func truth(_ id: String) throws -> ForwardCase {
        try #require(ForwardCase.all().first { $0.file == "conv_lstm.keras3.json" && $0.id == id }, "no Keras 3 case \(id)")
    }

    @Test func maskIsRefusedInOneLine() throws {
        let truth = try Self.truth("conv_lstm2d_valid")
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: truth.className, object: truth.config)))
        var input = truth.inputs[0]
        input.mask = Array(repeating: true, count: input.shape[0] * input.shape[1])
        #expect {
            _ = try kind.forward([input], weights: truth.weights)
        } throws: { error in
            let message = String(describing: error)
            return message.contains("mask") && !message.contains("\n")
        }
    }

    @Test func oneInitialStateIsRefused() throws {
        let truth = try Self.truth("conv_lstm2d_initial_state")
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: truth.className, object: truth.config)))
        #expect(throws: RuntimeError.self) {
            _ = try kind.forward(Array(truth.inputs.prefix(2)), weights: truth.weights)
        }
    }

    /// A stateful layer still has its shapes and weights; only running it is refused.
    @Test func statefulRunIsRefused() throws {
        let truth = try Self.truth("conv_lstm1d_valid")
        var object = truth.config
        object["stateful"] = .bool(true)
        let kind = try #require(try LayerCatalog.standard.makeLayer(LayerConfig(className: truth.className, object: object)))
        #expect(throws: RuntimeError.self) {
            _ = try kind.forward(truth.inputs, weights: truth.weights)
        }
    }
}
