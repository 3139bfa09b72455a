extension LayerCatalog {
    /// Conv1D/2D/3D, transposed, depthwise and separable convolutions.
    static let convolutionKinds: [any LayerKind.Type] = [
        ConvolutionLayer.self,
        ConvolutionTransposeLayer.self,
        DepthwiseConvolutionLayer.self,
        SeparableConvolutionLayer.self,
    ]
}
