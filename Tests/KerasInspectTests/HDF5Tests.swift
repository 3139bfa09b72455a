import Foundation
import Testing
@testable import KerasInspect

/// The HDF5 layer over every attribute and dataset variant Keras files contain, as written by
/// h5py in `fixtures/hdf5_cases.py`; `cases.json` says what each holds.
@Suite struct HDF5Tests {
    static let directory = FixturePaths.fixtures.appendingPathComponent("hdf5")
    static let cases: JSONValue = {
        let data = (try? Data(contentsOf: directory.appendingPathComponent("cases.json"))) ?? Data()
        return (try? JSONParser.parse([UInt8](data))) ?? .null
    }()
    static var path: String { directory.appendingPathComponent(cases["file"]?.stringValue ?? "?").path }

    private func attributes() throws -> HDF5Group { try HDF5File(path: Self.path).root.group("attrs") }

    @Test(arguments: Self.cases["string_attributes"]?.objectValue?.keys ?? [])
    func stringAttributeVariant(_ name: String) throws {
        let expected = (Self.cases["string_attributes"]?[name]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(try attributes().stringsAttribute(name) == expected)
    }

    @Test func chunkedNameListIsReassembled() throws {
        let name = try #require(Self.cases["chunked_attribute"]?["name"]?.stringValue)
        let expected = (Self.cases["chunked_attribute"]?["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(try attributes().chunkedStringsAttribute(name) == expected)
        #expect(try attributes().stringsAttribute(name) == nil)
    }

    @Test func missingAttributeIsNil() throws {
        #expect(try attributes().stringsAttribute("no_such_attribute") == nil)
        #expect(try attributes().chunkedStringsAttribute("no_such_attribute") == nil)
    }

    @Test func integerAttribute() throws {
        let name = try #require(Self.cases["int_attribute"]?["name"]?.stringValue)
        #expect(try attributes().intAttribute(name) == Self.cases["int_attribute"]?["value"]?.intValue)
    }

    @Test(arguments: Self.cases["datasets"]?.objectValue?.keys ?? [])
    func datasetShapeTypeAndValues(_ name: String) throws {
        let expected = try #require(Self.cases["datasets"]?[name])
        let dataset = try HDF5File(path: Self.path).root.group("data").dataset(name)
        #expect(dataset.shape == (expected["shape"]?.arrayValue ?? []).compactMap(\.intValue))
        #expect(dataset.dtype == expected["dtype"]?.stringValue)
        let values = try dataset.readFloats().map(Double.init)
        #expect(values == (expected["values"]?.arrayValue ?? []).compactMap(\.doubleValue))
    }

    @Test func childrenAndKinds() throws {
        let root = try HDF5File(path: Self.path).root
        #expect(try root.childNames() == ["attrs", "data"])
        #expect(root.childKind("data") == .group)
        #expect(root.childKind("data/f32") == .dataset)
        #expect(root.childKind("data/dense/dense/kernel:0") == .dataset)
        #expect(root.childKind("data/missing/deeper") == nil)
    }

    @Test func missingDatasetNamesFileAndPath() throws {
        let group = try HDF5File(path: Self.path).root.group("data")
        do {
            _ = try group.dataset("missing")
            Issue.record("opening a missing dataset succeeded")
        } catch let error as KerasInspectError {
            #expect(error.kind == .hdf5)
            #expect(error.file == Self.path)
            #expect(error.message.contains("/data/missing"))
        }
    }

    @Test func fileImageInMemory() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path)))
        let file = try HDF5File(image: bytes, name: "in-memory.h5")
        #expect(try file.root.group("data").dataset("f32").shape == [2, 3])
    }

    @Test func truncatedImageFailsCleanly() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path)))
        #expect(throws: KerasInspectError.self) { try HDF5File(image: Array(bytes.prefix(600)), name: "cut.h5") }
    }

    /// libhdf5's error stack and its printing switch are per thread: failures on another
    /// thread must be silent errors too.
    @Test func errorsOnAnotherThreadAreErrors() async throws {
        let path = Self.path
        let message = await Task.detached { () -> String in
            do {
                _ = try HDF5File(path: path).root.dataset("nope/nothing")
                return "no error"
            } catch {
                return "\(error)"
            }
        }.value
        #expect(message.contains("nope/nothing"))
    }
}
