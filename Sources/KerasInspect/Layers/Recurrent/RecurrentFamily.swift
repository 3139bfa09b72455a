extension LayerCatalog {
    /// SimpleRNN, LSTM, GRU and the generic RNN over cells.
    static let recurrentKinds: [any LayerKind.Type] = [
        RecurrentLayer.self,
        GenericRNNLayer.self,
    ]
}
