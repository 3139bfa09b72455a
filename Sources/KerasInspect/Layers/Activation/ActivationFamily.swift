extension LayerCatalog {
    /// Activation and the advanced-activation layers.
    static let activationKinds: [any LayerKind.Type] = [
        ActivationLayer.self,
        ParameterFreeActivationLayer.self,
        PReLULayer.self,
    ]
}
