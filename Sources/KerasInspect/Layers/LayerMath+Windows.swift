/// Helpers for layers that slide a window over spatial axes (convolutions, pooling,
/// padding, cropping, upsampling) in either data format.
extension LayerMath {
    /// Indices of the spatial axes of a `rank`-D spatial input, and of its channel axis.
    static func spatialAxes(rank: Int, channelsFirst: Bool) -> (spatial: [Int], channel: Int) {
        channelsFirst ? (Array(2..<(2 + rank)), 1) : (Array(1...rank), rank + 1)
    }

    /// Checks that `input` has a batch axis, `rank` spatial axes and a channel axis.
    static func requireRank(_ input: TensorShape, spatialRank: Int) throws {
        guard input.rank == spatialRank + 2 else {
            throw LayerConfigError("expects a \(spatialRank + 2)-D input, got \(input)")
        }
    }

    /// `padding` / `cropping` in their accepted forms: an int, one int per axis, or a
    /// (before, after) pair per axis.
    static func pairs(_ config: LayerConfig, key: String, spatialRank: Int, default defaultValue: Int) throws -> [(Int, Int)] {
        guard let value = config[key], !value.isNull else {
            return Array(repeating: (defaultValue, defaultValue), count: spatialRank)
        }
        if let int = value.intValue { return Array(repeating: (int, int), count: spatialRank) }
        guard let items = LayerConfig.unwrapTuple(value)?.arrayValue else {
            throw LayerConfigError("'\(key)' has an unsupported form")
        }
        if spatialRank == 1, items.count == 2, let before = items[0].intValue, let after = items[1].intValue {
            return [(before, after)]
        }
        guard items.count == spatialRank else { throw LayerConfigError("'\(key)' needs \(spatialRank) entries") }
        return try items.map { item in
            if let int = item.intValue { return (int, int) }
            let pair = try LayerConfig.intList(item, key: key, count: 2)
            return (pair[0], pair[1])
        }
    }
}
