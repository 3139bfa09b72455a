import CHDF5

/// What a link in an HDF5 group leads to, as far as Keras files are concerned.
public enum HDF5ObjectKind: Sendable {
    case group
    case dataset
}

/// An open HDF5 group: its attributes, its links, and the groups and datasets below it.
///
/// ```swift
/// let weights = try file.root.group("model_weights")
/// for layer in try weights.chunkedStringsAttribute("layer_names") ?? [] {
///     let names = try weights.group(layer).chunkedStringsAttribute("weight_names") ?? []
/// }
/// ```
public final class HDF5Group: @unchecked Sendable {
    /// The file, kept open while the group is in use.
    public let file: HDF5File
    /// Absolute HDF5 path, e.g. `/model_weights/dense`.
    public let path: String
    let handle: HDF5Handle

    init(file: HDF5File, path: String, openedFrom parent: hid_t, relativePath: String) throws {
        HDF5Errors.silence()
        self.file = file
        self.path = path
        handle = HDF5Handle(H5Gopen2(parent, relativePath, HDF5AccessLists.group))
        guard handle.id >= 0 else { throw HDF5Errors.error("opening the group", file: file.path, path: path) }
    }

    /// The absolute path of `relativePath`; a path starting with `/` is already absolute
    /// (libhdf5 resolves it from the root group).
    func childPath(_ relativePath: String) -> String {
        if relativePath.hasPrefix("/") { return relativePath }
        return path == "/" ? "/" + relativePath : path + "/" + relativePath
    }

    // MARK: Links

    private final class NameCollector {
        var names: [String] = []
    }

    /// Names of the links directly in this group (groups, datasets, soft and external links),
    /// in byte-wise name order. One level only, so hard-link cycles cannot make it loop.
    public func childNames() throws -> [String] {
        HDF5Errors.silence()
        let collector = NameCollector()
        let status = ki_h5l_iterate_names(handle.id, { name, context in
            guard let name, let context else { return 0 }
            Unmanaged<NameCollector>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        guard status >= 0 else { throw HDF5Errors.error("listing the group", file: file.path, path: path) }
        return collector.names
    }

    /// Whether `relativePath` (which may contain `/`) leads to a group or a dataset; `nil` when
    /// nothing is there, when it is something else (a named datatype), or when reaching it
    /// would need an external link or a broken or looping soft link.
    ///
    /// The path is walked one component at a time from the object reached so far: libhdf5 fails
    /// (rather than answering "no") on a missing parent, and re-resolving the whole prefix for
    /// every component would cost time quadratic in the length of a name taken from the file.
    public func childKind(_ relativePath: String) -> HDF5ObjectKind? {
        HDF5Errors.silence()
        let components = relativePath.split(separator: "/").filter { $0 != "." }
        var current = handle
        if relativePath.hasPrefix("/") {
            current = HDF5Handle(H5Oopen(handle.id, "/", HDF5AccessLists.link))
        } else if components.isEmpty {
            return relativePath.isEmpty ? nil : .group
        }
        for component in components {
            let name = String(component)
            guard current.id >= 0, H5Lexists(current.id, name, HDF5AccessLists.link) > 0 else {
                HDF5Errors.discard()
                return nil
            }
            current = HDF5Handle(H5Oopen(current.id, name, HDF5AccessLists.link))
        }
        guard current.id >= 0 else {
            HDF5Errors.discard()
            return nil
        }
        switch H5Iget_type(current.id) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return nil
        }
    }

    /// The group at `relativePath` below this one (it may contain `/`).
    public func group(_ relativePath: String) throws -> HDF5Group {
        try HDF5Group(file: file, path: childPath(relativePath), openedFrom: handle.id, relativePath: relativePath)
    }

    /// The dataset at `relativePath` below this group. Keras weight names are such paths
    /// (`dense/kernel:0` inside the layer's group), so the name is handed to libhdf5 unchanged:
    /// every `/` is a level, and `:` is an ordinary character.
    public func dataset(_ relativePath: String) throws -> HDF5Dataset {
        try HDF5Dataset(file: file, path: childPath(relativePath), openedFrom: handle.id, relativePath: relativePath)
    }

    /// How a child link is stored, read without following it.
    public enum LinkKind: Sendable, Equatable {
        case hard, soft, external, other
    }

    private final class LinkCollector {
        var links: [(path: String, kind: LinkKind)] = []
        var limit = 0
    }

    /// Every link below this group, each group visited once (hard-link cycles end), as paths
    /// relative to it, at most `limit` of them.
    public func allLinks(limit: Int = 100_000) -> [(path: String, kind: LinkKind)] {
        HDF5Errors.silence()
        let collector = LinkCollector()
        collector.limit = limit
        let status = ki_h5l_visit_all(handle.id, { name, type, context in
            guard let name, let context else { return 0 }
            let collector = Unmanaged<LinkCollector>.fromOpaque(context).takeUnretainedValue()
            let kind: LinkKind = type == 0 ? .hard : type == 1 ? .soft : type == 64 ? .external : .other
            collector.links.append((String(cString: name), kind))
            return collector.links.count >= collector.limit ? 1 : 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        if status < 0 { HDF5Errors.discard() }
        return collector.links
    }

    public func linkKind(_ name: String) -> LinkKind {
        HDF5Errors.silence()
        switch ki_h5l_kind(handle.id, name) {
        case 0: return .hard
        case 1: return .soft
        case 64: return .external
        default:
            HDF5Errors.discard()
            return .other
        }
    }

    // MARK: Attributes

    /// Names of this group's attributes, in name order.
    public func attributeNames() throws -> [String] {
        try HDF5Attribute.names(on: handle.id, file: file.path, path: path)
    }

    /// Whether the attribute exists (a libhdf5 failure counts as no).
    public func hasAttribute(_ name: String) -> Bool {
        HDF5Attribute.exists(name, on: handle.id)
    }

    /// A string attribute as a list: variable- or fixed-length (NULLPAD, NULLTERM or SPACEPAD),
    /// scalar or 1-D, ASCII or UTF-8. A zero-length attribute of any type is `[]`: Keras writes
    /// an empty `weight_names` as a float64 array of shape (0,). `nil` when the attribute is
    /// absent; a non-empty attribute of another type throws. More than 256 MB of text throws
    /// `.limitExceeded`.
    public func stringsAttribute(_ name: String) throws -> [String]? {
        var budget = HDF5Attribute.maximumTextBytes
        return try HDF5Attribute.strings(name, on: handle.id, file: file.path, path: path, budget: &budget)
    }

    /// A scalar string attribute (or the first element of a list); `nil` when absent or empty.
    public func stringAttribute(_ name: String) throws -> String? {
        try stringsAttribute(name)?.first
    }

    /// `name`, or — when Keras split a long list to fit HDF5's 64 KB object-header limit —
    /// the concatenation of `name0`, `name1`, … up to the first missing chunk. `nil` when
    /// neither exists. The 256 MB text limit applies to all chunks together.
    public func chunkedStringsAttribute(_ name: String) throws -> [String]? {
        var budget = HDF5Attribute.maximumTextBytes
        if let whole = try HDF5Attribute.strings(name, on: handle.id, file: file.path, path: path, budget: &budget) {
            return whole
        }
        var result: [String] = []
        var chunk = 0
        while let part = try HDF5Attribute.strings("\(name)\(chunk)", on: handle.id, file: file.path, path: path,
                                                    budget: &budget) {
            result += part
            chunk += 1
        }
        return chunk == 0 ? nil : result
    }

    /// A single integer attribute (Keras 0.x `nb_layers`); `nil` when absent.
    public func intAttribute(_ name: String) throws -> Int? {
        try HDF5Attribute.integer(name, on: handle.id, file: file.path, path: path)
    }
}
