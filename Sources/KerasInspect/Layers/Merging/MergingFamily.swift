extension LayerCatalog {
    /// Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.
    static let mergingKinds: [any LayerKind.Type] = [
        ElementwiseMergeLayer.self,
        ConcatenateLayer.self,
        DotLayer.self,
        Keras1MergeLayer.self,
    ]
}
