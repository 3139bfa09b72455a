extension LayerCatalog {
    /// SimpleRNN, LSTM, GRU.
    static let recurrentKinds: [any LayerKind.Type] = [
        RecurrentLayer.self,
    ]
}
