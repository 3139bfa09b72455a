/// Every failure the library reports: what went wrong, and in which file.
/// The CLI prints `description` as the single error line.
public struct KerasInspectError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case fileNotFound
        case unreadable
        case unrecognizedFormat
        case notAKerasModel
        case invalidJSON
        case invalidConfig
        case hdf5
        case limitExceeded
    }

    public var kind: Kind
    public var file: String?
    public var message: String

    public init(_ kind: Kind, file: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public func inFile(_ file: String) -> KerasInspectError {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }

    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}

/// A problem in one layer's configuration. Layer kinds throw it; the graph builder turns it
/// into a warning on that layer instead of aborting the whole model.
public struct LayerConfigError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
