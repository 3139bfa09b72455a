import Foundation
import Testing
@testable import KerasInspect

/// `.npy` / `.npz` reading and writing against the files NumPy wrote in `fixtures/npy/`
/// (`fixtures/npy_cases.py`; `expected.json` holds what NumPy itself read from each one).
enum NPYFixtures {
    static let folder = FixturePaths.fixtures.appendingPathComponent("npy")

    static let expected: JSONValue = {
        let url = folder.appendingPathComponent("expected.json")
        guard let data = try? Data(contentsOf: url), let document = try? JSONParser.parse([UInt8](data)) else {
            return .object(JSONObject())
        }
        return document
    }()

    static func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    static func tensor(_ entry: JSONValue) -> (shape: [Int], values: [Float]) {
        ((entry["shape"]?.arrayValue ?? []).compactMap(\.intValue),
         (entry["values"]?.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) })
    }
}

struct NPYGoodCase: Sendable, CustomTestStringConvertible {
    let file: String
    let shape: [Int]
    let values: [Float]
    var testDescription: String { file }

    static func all() -> [NPYGoodCase] {
        (NPYFixtures.expected["good"]?.arrayValue ?? []).map { entry in
            let (shape, values) = NPYFixtures.tensor(entry)
            return NPYGoodCase(file: entry["file"]?.stringValue ?? "?", shape: shape, values: values)
        }
    }
}

struct NPYBadCase: Sendable, CustomTestStringConvertible {
    let file: String
    let reader: String
    let error: String
    var testDescription: String { "\(file) (\(reader))" }

    static func all() -> [NPYBadCase] {
        (NPYFixtures.expected["bad"]?.arrayValue ?? []).map { entry in
            NPYBadCase(file: entry["file"]?.stringValue ?? "?", reader: entry["reader"]?.stringValue ?? "npy",
                       error: entry["error"]?.stringValue ?? "?")
        }
    }
}

/// Same values bit for bit, except that any NaN matches any NaN.
func sameFloats(_ actual: [Float], _ expected: [Float]) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { a, e in
        (a.isNaN && e.isNaN) || a.bitPattern == e.bitPattern
    }
}

@Suite("NPY and NPZ")
struct NPYTests {
    @Test("the fixtures are present")
    func fixturesPresent() {
        #expect(NPYGoodCase.all().count >= 25)
        #expect(NPYBadCase.all().count >= 20)
        #expect((NPYFixtures.expected["good_npz"]?.arrayValue ?? []).count == 2)
    }

    @Test("good .npy files read as NumPy reads them", arguments: NPYGoodCase.all())
    func readsGoodFile(_ testCase: NPYGoodCase) throws {
        let path = NPYFixtures.path(testCase.file)
        let tensor = try NPY.read(path: path)
        #expect(tensor.shape == testCase.shape)
        #expect(sameFloats(tensor.values, testCase.values), "\(tensor.values) vs numpy \(testCase.values)")
        #expect(tensor.mask == nil)
        let decoded = try NPY.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: testCase.file)
        #expect(decoded.shape == tensor.shape)
        #expect(sameFloats(decoded.values, tensor.values))
    }

    @Test("damaged and unsupported files fail with one line naming the file", arguments: NPYBadCase.all())
    func rejectsBadFile(_ testCase: NPYBadCase) throws {
        let path = NPYFixtures.path(testCase.file)
        let error = #expect(throws: KerasInspectError.self) {
            if testCase.reader == "npz" { _ = try NPZ.read(path: path) } else { _ = try NPY.read(path: path) }
        }
        guard let error else { return }
        #expect(error.description.contains(testCase.error), "\(error.description)")
        #expect(error.description.contains(testCase.file))
        #expect(!error.description.contains("\n"))
        if testCase.reader == "npy" {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let decodeError = #expect(throws: KerasInspectError.self) { _ = try NPY.decode(bytes, name: testCase.file) }
            #expect(decodeError?.description.hasPrefix("\(testCase.file): ") == true)
            #expect(decodeError?.description.contains(testCase.error) == true, "\(decodeError?.description ?? "")")
        }
    }

    @Test("a missing file is reported as such")
    func missingFile() {
        let error = #expect(throws: KerasInspectError.self) { _ = try NPY.read(path: "/nonexistent/x.npy") }
        #expect(error?.kind == .fileNotFound)
        let npzError = #expect(throws: KerasInspectError.self) { _ = try NPZ.read(path: "/nonexistent/x.npz") }
        #expect(npzError?.kind == .fileNotFound)
    }

    @Test(".npz archives from np.savez and np.savez_compressed")
    func readsArchives() throws {
        let archives = NPYFixtures.expected["good_npz"]?.arrayValue ?? []
        for archive in archives {
            let file = archive["file"]?.stringValue ?? "?"
            let arrays = try NPZ.read(path: NPYFixtures.path(file))
            let expected = archive["arrays"]?.arrayValue ?? []
            #expect(arrays.map(\.name) == expected.map { $0["name"]?.stringValue ?? "" }, "\(file)")
            for (array, entry) in zip(arrays, expected) {
                let (shape, values) = NPYFixtures.tensor(entry)
                #expect(array.tensor.shape == shape, "\(file) \(array.name)")
                #expect(sameFloats(array.tensor.values, values), "\(file) \(array.name)")
            }
        }
    }

    @Test("the writer's header is byte for byte np.save's")
    func headerMatchesNumpy() throws {
        let headers = NPYFixtures.expected["headers"]?.arrayValue ?? []
        #expect(headers.count >= 5)
        for entry in headers {
            let shape = (entry["shape"]?.arrayValue ?? []).compactMap(\.intValue)
            let hex = entry["hex"]?.stringValue ?? ""
            let numpy = stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
            }
            #expect(NPY.headerBytes(shape: shape) == numpy, "shape \(shape)")
            #expect(numpy.count % 64 == 0 && numpy.last == 0x0A)
            if shape.reduce(1, *) < 1000 {
                let encoded = NPY.encode(Tensor(zeros: shape))
                #expect(Array(encoded.prefix(numpy.count)) == numpy, "shape \(shape)")
                #expect(encoded.count == numpy.count + 4 * shape.reduce(1, *))
            }
        }
        // The (2, 3) float32 header, spelled out.
        let header = String(decoding: NPY.headerBytes(shape: [2, 3]).dropFirst(10), as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(header.hasSuffix(" \n"))
    }

    static func sampleTensors() -> [Tensor] {
        var generator = SystemRandomNumberGenerator()
        let special: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-3]
        var tensors = [
            Tensor(shape: [], values: [2.5]),
            Tensor(shape: [0, 3], values: []),
            Tensor(shape: [special.count], values: special),
            Tensor(shape: [2, 3, 4], values: (0..<24).map { _ in Float.random(in: -10...10, using: &generator) }),
        ]
        tensors.append(Tensor(shape: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], values: [7]))
        return tensors
    }

    @Test("encode then decode gives the tensor back, bit for bit")
    func roundTrip() throws {
        for tensor in Self.sampleTensors() {
            let bytes = NPY.encode(tensor)
            #expect((bytes.count - 4 * tensor.count) % 64 == 0)
            let back = try NPY.decode(bytes, name: "round-trip.npy")
            #expect(back.shape == tensor.shape)
            #expect(sameFloats(back.values, tensor.values))
        }
    }

    @Test("written .npy and .npz files read back; the .npz members are np.save's bytes")
    func writeAndRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = Self.sampleTensors()

        let npyPath = directory.appendingPathComponent("out.npy").path
        try Data("old contents".utf8).write(to: URL(fileURLWithPath: npyPath))
        try NPY.write(tensors[3], to: npyPath)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: npyPath))) == NPY.encode(tensors[3]))
        let back = try NPY.read(path: npyPath)
        #expect(back == tensors[3])

        let arrays = tensors.enumerated().map { (name: ["scalar", "empty", "special", "x/y", "ünï"][$0.offset], tensor: $0.element) }
        let npzPath = directory.appendingPathComponent("out.npz").path
        try NPZ.write(arrays, to: npzPath)
        let read = try NPZ.read(path: npzPath)
        #expect(read.map(\.name) == arrays.map(\.name))
        for (got, wanted) in zip(read, arrays) {
            #expect(got.tensor.shape == wanted.tensor.shape)
            #expect(sameFloats(got.tensor.values, wanted.tensor.values))
        }
        // Stored members whose bytes are exactly the .npy encoding (the CRC is checked on reading).
        let archive = try ZipArchive(path: npzPath)
        #expect(archive.members.map(\.name) == arrays.map { $0.name + ".npy" })
        for (member, array) in zip(archive.members, arrays) {
            #expect(member.method == 0)
            #expect(try archive.data(of: member) == NPY.encode(array.tensor))
        }
        // Nothing but the two outputs is left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["out.npy", "out.npz"])
    }

    @Test("the writers refuse what they cannot store, naming the file")
    func writerErrors() throws {
        let tensor = Tensor(shape: [2], values: [1, 2])
        let missingDirectory = "/nonexistent-\(UUID().uuidString)/out.npy"
        let error = #expect(throws: KerasInspectError.self) { try NPY.write(tensor, to: missingDirectory) }
        #expect(error?.description.contains(missingDirectory) == true)
        let duplicate = #expect(throws: KerasInspectError.self) {
            try NPZ.write([("a", tensor), ("a", tensor)], to: "/tmp/never-written.npz")
        }
        #expect(duplicate?.description.contains("'a'") == true)
        for name in ["", "../escape", "/absolute"] {
            #expect(throws: KerasInspectError.self) { try NPZ.write([(name, tensor)], to: "/tmp/never-written.npz") }
        }
        var broken = tensor
        broken.shape = [3]
        #expect(throws: KerasInspectError.self) { try NPY.write(broken, to: "/tmp/never-written.npy") }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.npz"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.npy"))
    }

    @Test("truncated and mutated files fail cleanly, never crash")
    func hostileBytes() throws {
        var samples: [[UInt8]] = []
        for file in ["float32_2x3.npy", "fortran_2x3x4.npy", "version3.npy", "float16.npy"] {
            samples.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: NPYFixtures.path(file)))))
        }
        for bytes in samples {
            for length in 0..<bytes.count {
                #expect(throws: KerasInspectError.self) { _ = try NPY.decode(Array(bytes.prefix(length)), name: "cut.npy") }
            }
        }
        // Deterministic mutations of the preamble and header: decode either succeeds with a
        // consistent tensor or throws.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let alphabet = Array("{}()[]'\":,TrueFalse0123456789L-<>=|fiubO ".utf8) + [0, 0x0A, 0xFF, 0x93]
        for round in 0..<4000 {
            var bytes = samples[round % samples.count]
            for _ in 0...(next() % 4) {
                let position = next() % 128
                bytes[position] = next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : alphabet[next() % alphabet.count]
            }
            if let tensor = try? NPY.decode(bytes, name: "mutated.npy") {
                #expect(tensor.shape.reduce(1, *) == tensor.values.count)
            }
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("float16 widening is exact for all 65,536 bit patterns")
    func halfConversion() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = NPY.float(fromHalf: bits)
            if expected.isNaN {
                #expect(actual.isNaN)
            } else if actual.bitPattern != expected.bitPattern {
                Issue.record("half 0x\(String(bits, radix: 16)): \(actual) vs \(expected)")
            }
        }
    }
    #endif

    @Test("Fortran-ordered data is transposed to C order")
    func fortranTranspose() {
        // A (2, 3) array [[0, 1, 2], [3, 4, 5]] stored column-major is 0 3 1 4 2 5.
        #expect(NPY.fortranToC([0, 3, 1, 4, 2, 5], shape: [2, 3]) == [0, 1, 2, 3, 4, 5])
        // (2, 1, 2): element (i, 0, k) sits at i + 2k in Fortran order.
        #expect(NPY.fortranToC([0, 2, 1, 3], shape: [2, 1, 2]) == [0, 1, 2, 3])
    }
}
