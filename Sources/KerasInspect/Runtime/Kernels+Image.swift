/// Image resizing as TensorFlow's `tf.image.resize` computes it (Resizing, CenterCrop,
/// tf-keras RandomCrop at inference), on channels-last (batch, height, width, channels).
extension Kernels {
    enum Interpolation: String, Sendable {
        case bilinear, nearest
    }

    /// `tf.image.resize(images, (height, width), method)` without antialiasing: half-pixel
    /// centres, so output pixel i samples input coordinate (i + 0.5) · in/out − 0.5 (bilinear,
    /// clamped at the border) or floor((i + 0.5) · in/out) (nearest).
    static func resize(_ images: Tensor, height: Int, width: Int, interpolation: Interpolation) throws -> Tensor {
        guard images.rank == 4 else { throw RuntimeError("expects (batch, height, width, channels), got \(images.shape)") }
        let (batch, inHeight, inWidth, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        guard height > 0, width > 0, inHeight > 0, inWidth > 0 else { throw RuntimeError("cannot resize \(images.shape) to \(height) × \(width)") }
        if inHeight == height, inWidth == width { return images }
        let rows = samplePositions(input: inHeight, output: height, interpolation: interpolation)
        let columns = samplePositions(input: inWidth, output: width, interpolation: interpolation)
        var output = [Float](repeating: 0, count: batch * height * width * channels)
        images.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                var out = 0
                for b in 0..<batch {
                    let image = b * inHeight * inWidth * channels
                    for row in rows {
                        let top = image + row.lower * inWidth * channels, bottom = image + row.upper * inWidth * channels
                        for column in columns {
                            let left = column.lower * channels, right = column.upper * channels
                            for c in 0..<channels {
                                if interpolation == .nearest {
                                    output[out] = input[top + left + c]
                                } else {
                                    let topLeft = input[top + left + c], topRight = input[top + right + c]
                                    let bottomLeft = input[bottom + left + c], bottomRight = input[bottom + right + c]
                                    let upper = topLeft + (topRight - topLeft) * column.fraction
                                    let lower = bottomLeft + (bottomRight - bottomLeft) * column.fraction
                                    output[out] = upper + (lower - upper) * row.fraction
                                }
                                out += 1
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, height, width, channels], values: output)
    }

    /// Per output index along one axis: the input indices it reads and the weight of the upper one.
    private static func samplePositions(input: Int, output: Int, interpolation: Interpolation)
        -> [(lower: Int, upper: Int, fraction: Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { index in
            if interpolation == .nearest {
                let position = min(Int(((Float(index) + 0.5) * scale).rounded(.down)), input - 1)
                return (max(position, 0), max(position, 0), 0)
            }
            let position = (Float(index) + 0.5) * scale - 0.5
            let floor = position.rounded(.down)
            let lower = max(Int(floor), 0), upper = min(Int(position.rounded(.up)), input - 1)
            return (lower, upper, position - floor)
        }
    }

    /// `images[:, top:top + height, left:left + width, :]`.
    static func crop(_ images: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
        let (batch, inHeight, inWidth, channels) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var output = [Float]()
        output.reserveCapacity(batch * height * width * channels)
        for b in 0..<batch {
            for row in top..<(top + height) {
                let start = ((b * inHeight + row) * inWidth + left) * channels
                output.append(contentsOf: images.values[start..<(start + width * channels)])
            }
        }
        return Tensor(shape: [batch, height, width, channels], values: output)
    }

    /// Keras' `smart_resize`: the largest centred window with the target's aspect ratio,
    /// then resized to the target (`crop_to_aspect_ratio`).
    static func cropToAspectRatioAndResize(_ images: Tensor, height: Int, width: Int,
                                           interpolation: Interpolation) throws -> Tensor {
        guard images.rank == 4 else { throw RuntimeError("expects (batch, height, width, channels), got \(images.shape)") }
        let (inHeight, inWidth) = (images.shape[1], images.shape[2])
        let cropHeight = max(min(inHeight, Int(Float(inWidth * height) / Float(width))), 1)
        let cropWidth = max(min(inWidth, Int(Float(inHeight * width) / Float(height))), 1)
        let cropped = crop(images, top: Int(Float(inHeight - cropHeight) / 2), left: Int(Float(inWidth - cropWidth) / 2),
                           height: cropHeight, width: cropWidth)
        return try resize(cropped, height: height, width: width, interpolation: interpolation)
    }
}
