/// Reads Python's `marshal` format far enough to list what a Lambda's bytecode refers to:
/// the global and attribute names (`co_names`) of its code object and of the code objects
/// nested in it (`os`, `system`). Nothing is executed or turned into Python objects; the
/// reader only walks bytes, with limits on depth and size.
///
/// The code object's fields changed across Python versions, so each known layout is tried
/// and the one that reads the whole stream wins: 3.11 and later (`co_qualname`,
/// `co_exceptiontable`, `co_localsplusnames`), and 3.8–3.10 (`co_varnames`, `co_lnotab`).
enum MarshalReader {
    /// The names referenced, in first-seen order, or `nil` when no layout reads the bytes.
    static func referencedNames(_ bytes: [UInt8]) -> [String]? {
        for layout in Layout.allCases {
            var reader = Reader(bytes: bytes, layout: layout)
            if (try? reader.object(depth: 0)) != nil, reader.position == bytes.count {
                var seen = Set<String>()
                return reader.names.filter { seen.insert($0).inserted }
            }
        }
        return nil
    }

    enum Layout: CaseIterable {
        case python311, python38
    }

    struct Failure: Error {}

    /// A parsed value, as little of it as the walk needs.
    indirect enum Value {
        case none, string(String), tuple([Value]), other
    }

    struct Reader {
        let bytes: [UInt8]
        let layout: Layout
        var position = 0
        var references: [Value] = []
        var names: [String] = []

        init(bytes: [UInt8], layout: Layout) {
            self.bytes = bytes
            self.layout = layout
        }

        mutating func byte() throws -> UInt8 {
            guard position < bytes.count else { throw Failure() }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func int32() throws -> Int {
            guard position + 4 <= bytes.count else { throw Failure() }
            let value = UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
                | UInt32(bytes[position + 3]) << 24
            position += 4
            return Int(Int32(bitPattern: value))
        }

        mutating func raw(_ count: Int) throws -> [UInt8] {
            guard count >= 0, position + count <= bytes.count else { throw Failure() }
            defer { position += count }
            return Array(bytes[position..<(position + count)])
        }

        mutating func object(depth: Int) throws -> Value {
            guard depth < 64 else { throw Failure() }
            let code = try byte()
            let flagged = code & 0x80 != 0
            let type = code & 0x7f
            // A flagged object is stored for later back-references; reserve its slot first,
            // since nested objects take the slots after it.
            let slot = references.count
            if flagged { references.append(.other) }
            let value: Value
            switch type {
            case UInt8(ascii: "0"), UInt8(ascii: "N"): value = .none
            case UInt8(ascii: "F"), UInt8(ascii: "T"), UInt8(ascii: "."), UInt8(ascii: "S"): value = .other
            case UInt8(ascii: "i"): _ = try int32(); value = .other
            case UInt8(ascii: "l"):
                let digits = try int32()
                _ = try raw(abs(digits) * 2)
                value = .other
            case UInt8(ascii: "g"): _ = try raw(8); value = .other
            case UInt8(ascii: "y"): _ = try raw(16); value = .other
            case UInt8(ascii: "f"): _ = try raw(Int(try byte())); value = .other
            case UInt8(ascii: "x"):
                _ = try raw(Int(try byte()))
                _ = try raw(Int(try byte()))
                value = .other
            case UInt8(ascii: "s"): _ = try raw(try int32()); value = .other
            case UInt8(ascii: "u"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "A"):
                value = .string(String(decoding: try raw(try int32()), as: UTF8.self))
            case UInt8(ascii: "z"), UInt8(ascii: "Z"):
                value = .string(String(decoding: try raw(Int(try byte())), as: UTF8.self))
            case UInt8(ascii: ")"):
                value = .tuple(try (0..<Int(try byte())).map { _ in try object(depth: depth + 1) })
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "<"), UInt8(ascii: ">"):
                let count = try int32()
                guard count >= 0, count <= bytes.count else { throw Failure() }
                value = .tuple(try (0..<count).map { _ in try object(depth: depth + 1) })
            case UInt8(ascii: "{"):
                while position < bytes.count, bytes[position] != UInt8(ascii: "0") {
                    _ = try object(depth: depth + 1)
                    _ = try object(depth: depth + 1)
                }
                _ = try byte()
                value = .other
            case UInt8(ascii: "r"):
                let index = try int32()
                guard references.indices.contains(index) else { throw Failure() }
                value = references[index]
            case UInt8(ascii: "c"):
                try codeObject(depth: depth)
                value = .other
            default:
                throw Failure()
            }
            if flagged { references[slot] = value }
            return value
        }

        /// The fields of a code object; its `co_names` are recorded.
        mutating func codeObject(depth: Int) throws {
            let integers = layout == .python311 ? 5 : 6  // 3.8–3.10 also have nlocals
            for _ in 0..<integers { _ = try int32() }
            _ = try object(depth: depth + 1)  // co_code
            _ = try object(depth: depth + 1)  // co_consts (nested code objects are read here)
            if case .tuple(let items) = try object(depth: depth + 1) {  // co_names
                for case .string(let name) in items { names.append(name) }
            }
            switch layout {
            case .python311:
                // localsplusnames, localspluskinds, filename, name, qualname, firstlineno,
                // linetable, exceptiontable
                for _ in 0..<5 { _ = try object(depth: depth + 1) }
                _ = try int32()
                for _ in 0..<2 { _ = try object(depth: depth + 1) }
            case .python38:
                // varnames, freevars, cellvars, filename, name, firstlineno, lnotab
                for _ in 0..<5 { _ = try object(depth: depth + 1) }
                _ = try int32()
                _ = try object(depth: depth + 1)
            }
        }
    }
}
