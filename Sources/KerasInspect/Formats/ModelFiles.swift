/// The model files under a path, for commands that take files or folders (`scan`).
public enum ModelFiles {
    /// `path` itself when it is a file; when it is a folder, every file below it whose name
    /// ends in one of `suffixes`, sorted, descending at most 32 levels (a symbolic-link loop
    /// ends there) and listing at most 100,000 files. `nil` when nothing is at `path`.
    public static func collect(_ path: String, suffixes: [String]) -> [String]? {
        switch LocalFile.kind(of: path) {
        case .missing: return nil
        case .directory:
            var files: [String] = []
            walk(path, suffixes: suffixes, depth: 0, into: &files)
            return files
        default: return [path]
        }
    }

    private static func walk(_ folder: String, suffixes: [String], depth: Int, into files: inout [String]) {
        guard depth < 32, files.count < 100_000, let names = LocalFile.entries(of: folder) else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            switch LocalFile.kind(of: child) {
            case .directory: walk(child, suffixes: suffixes, depth: depth + 1, into: &files)
            case .regular where suffixes.contains(where: { name.hasSuffix($0) }): files.append(child)
            default: continue
            }
        }
    }
}
