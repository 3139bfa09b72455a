extension LayerCatalog {
    /// SimpleRNN, LSTM, GRU, the generic RNN over cells and the convolutional LSTMs.
    static let recurrentKinds: [any LayerKind.Type] = [
        RecurrentLayer.self,
        GenericRNNLayer.self,
        ConvLSTMLayer.self,
    ]
}
