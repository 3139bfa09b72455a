import CHDF5
import Foundation
import Glibc
import Testing
@testable import KerasInspect

/// The HDF5 layer against every attribute, dataset and link variant that `fixtures/hdf5_cases.py`
/// writes with h5py; `fixtures/hdf5/cases.json` says what h5py wrote and read back.
@Suite struct HDF5Tests {
    static let directory = FixturePaths.fixtures.appendingPathComponent("hdf5")
    static let cases: JSONValue = {
        let data = (try? Data(contentsOf: directory.appendingPathComponent("cases.json"))) ?? Data()
        return (try? JSONParser.parse([UInt8](data))) ?? .null
    }()

    /// The path of the file a section of cases.json describes.
    static func path(_ section: String) -> String {
        directory.appendingPathComponent(cases[section]?["file"]?.stringValue ?? "?").path
    }

    static func texts(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    private func attributes() throws -> HDF5Group {
        try HDF5File(path: Self.path("strings")).root.group(Self.cases["strings"]?["group"]?.stringValue ?? "?")
    }

    private func data() throws -> HDF5Group {
        try HDF5File(path: Self.path("datasets")).root.group(Self.cases["datasets"]?["group"]?.stringValue ?? "?")
    }

    /// The error `body` throws, which must be a `KerasInspectError`.
    private func failure(_ body: () throws -> Void) -> KerasInspectError? {
        do {
            try body()
        } catch let error as KerasInspectError {
            return error
        } catch {
            Issue.record("not a KerasInspectError: \(error)")
        }
        return nil
    }

    /// One line, naming the file, with none of libhdf5's own trace format.
    private func expectClean(_ error: KerasInspectError?, file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("no error", sourceLocation: sourceLocation)
            return
        }
        #expect(error.file == file, sourceLocation: sourceLocation)
        let text = error.description
        #expect(!text.contains("\n") && !text.contains("HDF5-DIAG") && !text.contains("#000") && !text.contains("time ="),
                "\(text)", sourceLocation: sourceLocation)
    }

    // MARK: String attributes

    @Test(arguments: Self.cases["strings"]?["string_attributes"]?.objectValue?.keys ?? [])
    func stringAttributeVariant(_ name: String) throws {
        let expected = Self.texts(Self.cases["strings"]?["string_attributes"]?[name])
        let group = try attributes()
        #expect(try group.stringsAttribute(name) == expected)
        #expect(try group.stringAttribute(name) == expected.first)
        #expect(group.hasAttribute(name))
    }

    @Test func attributeNamesInNameOrder() throws {
        let strings = try #require(Self.cases["strings"])
        var expected = strings["string_attributes"]?.objectValue?.keys ?? []
        expected += (0..<3).map { "layer_names\($0)" }
        expected += strings["int_attributes"]?.objectValue?.keys ?? []
        expected.append(strings["non_text_attribute"]?.stringValue ?? "?")
        #expect(try attributes().attributeNames() == expected.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) })
    }

    @Test func chunkedNameListIsReassembled() throws {
        let name = try #require(Self.cases["strings"]?["chunked_attribute"]?["name"]?.stringValue)
        let group = try attributes()
        #expect(try group.chunkedStringsAttribute(name) == Self.texts(Self.cases["strings"]?["chunked_attribute"]?["values"]))
        #expect(try group.stringsAttribute(name) == nil)
        #expect(!group.hasAttribute(name))
    }

    @Test func unchunkedListReadsAsItself() throws {
        #expect(try attributes().chunkedStringsAttribute("vl_ascii_list") == Self.texts(Self.cases["strings"]?["string_attributes"]?["vl_ascii_list"]))
    }

    @Test func missingAttributeIsNil() throws {
        let group = try attributes()
        #expect(try group.stringsAttribute("no_such_attribute") == nil)
        #expect(try group.stringAttribute("no_such_attribute") == nil)
        #expect(try group.chunkedStringsAttribute("no_such_attribute") == nil)
        #expect(try group.intAttribute("no_such_attribute") == nil)
        #expect(!group.hasAttribute("no_such_attribute"))
    }

    @Test func integerAttributes() throws {
        let expected = try #require(Self.cases["strings"]?["int_attributes"]?.objectValue)
        let group = try attributes()
        for name in expected.keys {
            #expect(try group.intAttribute(name) == expected[name]?.intValue)
        }
        let error = failure { _ = try group.intAttribute("vl_ascii_scalar") }
        #expect(error?.kind == .hdf5 && error?.message.contains("'vl_ascii_scalar'") == true, "\(String(describing: error))")
    }

    @Test func nonTextAttributeIsAnErrorNamingIt() throws {
        let name = try #require(Self.cases["strings"]?["non_text_attribute"]?.stringValue)
        let error = failure { _ = try attributes().stringsAttribute(name) }
        expectClean(error, file: Self.path("strings"))
        #expect(error?.kind == .hdf5)
        #expect(error?.message == "attribute '\(name)' at HDF5 path /attrs holds float32 values, not text")
    }

    // MARK: Datasets

    @Test(arguments: Self.cases["datasets"]?["numeric"]?.objectValue?.keys ?? [])
    func datasetShapeTypeAndValues(_ name: String) throws {
        let expected = try #require(Self.cases["datasets"]?["numeric"]?[name])
        let dataset = try data().dataset(name)
        #expect(dataset.path == "/data/" + name)
        #expect(dataset.shape == (expected["shape"]?.arrayValue ?? []).compactMap(\.intValue))
        #expect(dataset.elementCount == dataset.shape.reduce(1, *))
        #expect(dataset.dtype == expected["dtype"]?.stringValue)
        let values = try dataset.readFloats().map(Double.init)
        #expect(values == (expected["values"]?.arrayValue ?? []).compactMap(\.doubleValue))
    }

    @Test func datasetAttribute() throws {
        let dataset = try data().dataset("bf16")
        #expect(try dataset.stringAttribute("dtype") == "bfloat16")
        #expect(try dataset.stringAttribute("absent") == nil)
    }

    @Test func textDatasetIsNotReadAsNumbers() throws {
        let expected = try #require(Self.cases["datasets"]?["non_numeric"]?["strings"])
        let dataset = try data().dataset("strings")
        #expect(dataset.shape == (expected["shape"]?.arrayValue ?? []).compactMap(\.intValue))
        #expect(dataset.dtype == expected["dtype"]?.stringValue)
        let error = failure { _ = try dataset.readFloats() }
        expectClean(error, file: Self.path("datasets"))
        #expect(error?.message.contains("/data/strings") == true)
    }

    /// Every group and dataset of a file, found by walking the links.
    private func walk(_ group: HDF5Group, into found: inout [String: HDF5Dataset], groups: inout [String]) throws {
        for name in try group.childNames() {
            switch group.childKind(name) {
            case .group:
                let child = try group.group(name)
                groups.append(child.path)
                try walk(child, into: &found, groups: &groups)
            case .dataset:
                let dataset = try group.dataset(name)
                found[dataset.path] = dataset
            case nil:
                Issue.record("\(group.path)/\(name) is neither group nor dataset")
            }
        }
    }

    @Test func walkingFindsEveryGroupAndDataset() throws {
        let section = try #require(Self.cases["datasets"])
        var found: [String: HDF5Dataset] = [:]
        var groups: [String] = []
        try walk(try HDF5File(path: Self.path("datasets")).root, into: &found, groups: &groups)
        let names = (section["numeric"]?.objectValue?.keys ?? []) + (section["non_numeric"]?.objectValue?.keys ?? [])
        #expect(found.keys.sorted() == names.map { "/data/" + $0 }.sorted())
        #expect(groups.sorted() == Self.texts(section["groups"]).map { "/" + $0 }.sorted())
    }

    /// One read libhdf5's logging driver saw: byte range and libhdf5's memory type for it.
    struct LoggedRead {
        let range: ClosedRange<Int>
        let type: String
    }

    /// The reads libhdf5 made on `datasets.h5` while `body` ran, from its logging driver.
    private func loggedReads(_ body: (HDF5File) throws -> Void) throws -> [LoggedRead] {
        let path = Self.path("datasets")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect-hdf5-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let accessList = H5Pcreate(ki_h5p_file_access())
        defer { H5Pclose(accessList) }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // The type log needs a buffer of one byte per byte of file.
        #expect(H5Pset_fapl_log(accessList, log, UInt64(H5FD_LOG_LOC_READ | H5FD_LOG_FLAVOR), size) >= 0)
        do {
            // libhdf5 writes the log when the file closes, i.e. when this wrapper goes away.
            let file = try HDF5File(path: path, accessList: accessList)
            try body(file)
        }
        // "      7160-     11255 (      4096 bytes) (H5FD_MEM_DRAW) Read"
        return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard line.hasSuffix(" Read"), let dash = line.firstIndex(of: "-"), let open = line.lastIndex(of: "("),
                  let close = line.lastIndex(of: ")"),
                  let first = Int(line[..<dash].trimmingCharacters(in: .whitespaces)),
                  let last = Int(line[line.index(after: dash)...].prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces))
            else { return nil }
            return LoggedRead(range: first...last, type: String(line[line.index(after: open)..<close]))
        }
    }

    /// Where a contiguous dataset keeps its array in the file; `nil` when it has no storage.
    private func storage(of dataset: HDF5Dataset) -> ClosedRange<Int>? {
        let offset = H5Dget_offset(dataset.handle.id)
        let size = Int(H5Dget_storage_size(dataset.handle.id))
        // haddr_t.max is HADDR_UNDEF, a cast macro Swift cannot see.
        guard offset != haddr_t.max, size > 0 else { return nil }
        return Int(offset)...(Int(offset) + size - 1)
    }

    /// A summary needs the shape and type of every array and must not pay for their data:
    /// no read may touch any array's bytes. (Array-type reads do happen: libhdf5 logs the global
    /// heap, where the variable-length `dtype` attribute of the bfloat16 array lives, as raw data.)
    @Test func shapesAndTypesReadNoArrayData() throws {
        var arrays: [String: ClosedRange<Int>] = [:]
        let described = try loggedReads { file in
            var found: [String: HDF5Dataset] = [:]
            var groups: [String] = []
            try walk(try file.root, into: &found, groups: &groups)
            #expect(found["/data/f32"]?.shape == [2, 3])
            for (path, dataset) in found { arrays[path] = storage(of: dataset) }
        }
        #expect(arrays.count == 11, "every array with elements has storage: \(arrays.keys.sorted())")
        for (path, bytes) in arrays {
            let touching = described.filter { $0.range.overlaps(bytes) }
            #expect(touching.isEmpty, "\(path) at \(bytes) was read: \(touching)")
        }
        #expect(described.contains { $0.type == "H5FD_MEM_OHDR" }, "the log shows the metadata reads")
        let f32 = try #require(arrays["/data/f32"])
        let read = try loggedReads { file in _ = try file.root.dataset("data/f32").readFloats() }
        #expect(read.contains { $0.range.overlaps(f32) }, "the log shows array reads")
    }

    // MARK: Absurd declarations

    private func hostile(_ key: String) throws -> (name: String, shape: [Int]) {
        let entry = try #require(Self.cases["hostile"]?[key])
        return (try #require(entry["name"]?.stringValue), (entry["shape"]?.arrayValue ?? []).compactMap(\.intValue))
    }

    @Test func overflowingShapeIsRefusedOnOpening() throws {
        let name = try hostile("overflowing").name
        // 2^62 is beyond the JSON parser's exact integers, but exact as a Double.
        let shape = (Self.cases["hostile"]?["overflowing"]?["shape"]?.arrayValue ?? []).compactMap(\.doubleValue).map { UInt64($0) }
        let error = failure { _ = try HDF5File(path: Self.path("hostile")).root.dataset(name) }
        expectClean(error, file: Self.path("hostile"))
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message.hasPrefix("dataset at HDF5 path /\(name) declares shape \(shape)") == true,
                "\(String(describing: error))")
    }

    @Test func hugeArrayIsDescribedButNeverAllocated() throws {
        let (name, shape) = try hostile("too_large_to_read")
        let dataset = try HDF5File(path: Self.path("hostile")).root.dataset(name)
        #expect(dataset.shape == shape)
        let error = failure { _ = try dataset.readFloats() }
        expectClean(error, file: Self.path("hostile"))
        #expect(error?.kind == .limitExceeded)
    }

    /// `readFloats` sizes its buffer from the dtype; a `dtype` attribute that disagrees with the
    /// stored element size must not be believed.
    @Test func opaqueDataClaimingBfloat16IsNotTrusted() throws {
        let (name, shape) = try hostile("lying_bfloat16")
        let dataset = try HDF5File(path: Self.path("hostile")).root.dataset(name)
        #expect(dataset.shape == shape)
        #expect(dataset.dtype == Self.cases["hostile"]?["lying_bfloat16"]?["dtype"]?.stringValue)
        #expect(try dataset.stringAttribute("dtype") == "bfloat16")
        let error = failure { _ = try dataset.readFloats() }
        #expect(error?.kind == .hdf5)
    }

    /// Text is counted against a budget before it is copied; the public calls use 256 MB.
    @Test(arguments: ["vl_ascii_list", "fixed_nullpad"])
    func textBeyondTheBudgetIsRefused(_ name: String) throws {
        let group = try attributes()
        var budget = 20
        let error = failure {
            _ = try HDF5Attribute.strings(name, on: group.handle.id, file: group.file.path, path: group.path, budget: &budget)
        }
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message.contains("'\(name)'") == true)
        var enough = 1 << 10
        let names = try HDF5Attribute.strings(name, on: group.handle.id, file: group.file.path, path: group.path, budget: &enough)
        #expect(names == Self.texts(Self.cases["strings"]?["string_attributes"]?[name]))
        #expect(enough < 1 << 10, "the read was charged to the budget")
    }

    // MARK: Links

    @Test func childNamesListEveryLinkOnce() throws {
        let root = try HDF5File(path: Self.path("links")).root
        #expect(try root.childNames() == Self.texts(Self.cases["links"]?["children"]))
        #expect(try root.group("cycle").childNames() == ["leaf", "self", "up"])
    }

    @Test(arguments: Self.cases["links"]?["kinds"]?.objectValue?.keys ?? [])
    func childKindFollowsOnlyLinksInsideTheFile(_ path: String) throws {
        let expected = Self.cases["links"]?["kinds"]?[path]?.stringValue
        let kind = try HDF5File(path: Self.path("links")).root.childKind(path)
        #expect(kind.map { "\($0)" } == expected)
    }

    @Test func childKindOfPathsWithDotsAndSlashes() throws {
        let root = try HDF5File(path: Self.path("datasets")).root
        #expect(root.childKind("/data/f32") == .dataset)
        #expect(root.childKind("./data//f32") == .dataset)
        #expect(root.childKind("data/f32/deeper") == nil)
        #expect(root.childKind("data/dense/dense/kernel:0") == .dataset)
        #expect(root.childKind("") == nil)
        #expect(try root.group("data").childKind("/data") == .group)
    }

    @Test func externalLinkIsNotFollowed() throws {
        let name = try #require(Self.cases["links"]?["external_dataset"]?.stringValue)
        let root = try HDF5File(path: Self.path("links")).root
        let error = failure { _ = try root.dataset(name) }
        expectClean(error, file: Self.path("links"))
        #expect(error?.kind == .hdf5)
        #expect(error?.message.contains("/\(name)") == true)
        #expect(error?.message.contains("external link to /data in file datasets.h5 not followed") == true,
                "\(String(describing: error))")
        #expect(failure { _ = try root.group("external") } != nil)
    }

    @Test func loopingSoftLinkFailsInsteadOfHanging() throws {
        let root = try HDF5File(path: Self.path("links")).root
        let error = failure { _ = try root.group("soft_a") }
        expectClean(error, file: Self.path("links"))
        #expect(error?.message.contains("/soft_a") == true)
    }

    @Test func deepHardLinkCycleResolves() throws {
        let root = try HDF5File(path: Self.path("links")).root
        let path = Array(repeating: "self", count: 500).joined(separator: "/")
        #expect(root.childKind("cycle/" + path + "/leaf") == .dataset)
        #expect(try root.group("cycle/" + path).childNames() == ["leaf", "self", "up"])
    }

    // MARK: Opening files

    @Test func missingFileIsFileNotFound() {
        let path = Self.directory.appendingPathComponent("no_such_file.h5").path
        let error = failure { _ = try HDF5File(path: path) }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.file == path)
    }

    @Test func directoryIsUnreadable() {
        let error = failure { _ = try HDF5File(path: Self.directory.path) }
        #expect(error?.kind == .unreadable)
    }

    @Test(arguments: ["not_hdf5", "truncated"])
    func unopenableFileIsAnHDF5Error(_ section: String) {
        let path = Self.path(section)
        let error = failure { _ = try HDF5File(path: path) }
        expectClean(error, file: path)
        #expect(error?.kind == .hdf5)
        #expect(error?.message.hasPrefix("not an HDF5 file, or a truncated or damaged one (HDF5: ") == true, "\(String(describing: error))")
    }

    @Test func truncationIsReportedAsSuch() throws {
        let error = failure { _ = try HDF5File(path: Self.path("truncated")) }
        let bytes = try #require(Self.cases["truncated"]?["bytes"]?.intValue)
        #expect(error?.message.contains("truncated file: eof = \(bytes)") == true, "\(String(describing: error))")
    }

    @Test func missingDatasetNamesFileAndPath() throws {
        let error = failure { _ = try data().dataset("missing/kernel:0") }
        expectClean(error, file: Self.path("datasets"))
        #expect(error?.kind == .hdf5)
        #expect(error?.message.hasPrefix("opening the dataset failed at HDF5 path /data/missing/kernel:0 (HDF5: ") == true,
                "\(String(describing: error))")
    }

    @Test func missingGroupNamesFileAndPath() throws {
        let error = failure { _ = try HDF5File(path: Self.path("datasets")).root.group("model_weights") }
        expectClean(error, file: Self.path("datasets"))
        #expect(error?.message.hasPrefix("opening the group failed at HDF5 path /model_weights (HDF5: ") == true)
    }

    // MARK: In-memory images

    private func bytes(_ section: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path(section))))
    }

    @Test func fileImageInMemory() throws {
        let file = try HDF5File(image: try bytes("datasets"), name: "in-memory.h5")
        #expect(file.path == "in-memory.h5")
        #expect(try file.root.group("data").dataset("f32").readFloats() == [0, 0.25, 0.5, 0.75, 1, 1.25])
    }

    /// libhdf5 identifies in-memory files by name: two images under one name must still each
    /// show their own contents.
    @Test func imagesWithTheSameNameStaySeparate() throws {
        let first = try HDF5File(image: try bytes("strings"), name: "model.weights.h5")
        let second = try HDF5File(image: try bytes("datasets"), name: "model.weights.h5")
        #expect(try first.root.childNames() == ["attrs"])
        #expect(try second.root.childNames() == ["data"])
    }

    /// The in-memory driver refuses a name that exists on disk unless the name is kept from it.
    @Test func imageNamedLikeAnExistingFileOpens() throws {
        let file = try HDF5File(image: try bytes("strings"), name: Self.path("links"))
        #expect(try file.root.childNames() == ["attrs"])
    }

    @Test func truncatedOrEmptyImageFailsCleanly() throws {
        let whole = try bytes("datasets")
        for image in [Array(whole.prefix(1024)), [], Array("not HDF5".utf8)] {
            let error = failure { _ = try HDF5File(image: image, name: "cut.h5") }
            expectClean(error, file: "cut.h5")
            #expect(error?.kind == .hdf5)
        }
    }

    // MARK: Silence on every thread

    /// libhdf5's error stack and its printing switch are per thread: failures on another
    /// thread must be silent errors too.
    @Test func errorsOnAnotherTaskAreErrors() async throws {
        let path = Self.path("datasets")
        let message = await Task.detached { () -> String in
            do {
                _ = try HDF5File(path: path).root.dataset("nope/nothing")
                return "no error"
            } catch {
                return "\(error)"
            }
        }.value
        #expect(message.hasPrefix("\(path): opening the dataset failed at HDF5 path /nope/nothing (HDF5: "), "\(message)")
        #expect(!message.contains("\n"))
    }

    /// Runs `body` on a thread created for it, on which libhdf5 has never been silenced.
    private func onNewThread(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                body()
                done.resume()
            }.start()
        }
    }

    /// Everything written to file descriptor 2 while `body` runs (libhdf5 prints there), then
    /// passed on to the real stderr unless `echo` is false, so that other tests' output is not lost.
    private func standardError(echo: Bool = true, during body: () async throws -> Void) async throws -> String {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect-stderr-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: capture) }
        let target = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(target >= 0)
        fflush(nil)
        let saved = dup(2)
        dup2(target, 2)
        close(target)
        do {
            try await body()
        } catch {
            Issue.record(error)
        }
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        let text = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
        if echo { FileHandle.standardError.write(Data(text.utf8)) }
        return text
    }

    @Test func libhdf5PrintsNothingOnAnyThread() async throws {
        let paths = (path: Self.path("datasets"), truncated: Self.path("truncated"), links: Self.path("links"))
        let failures: @Sendable () -> Void = {
            _ = try? HDF5File(path: paths.truncated)
            _ = try? HDF5File(path: paths.path).root.dataset("nope/nothing")
            _ = try? HDF5File(path: paths.path).root.group("data").intAttribute("missing")
            _ = try? HDF5File(path: paths.links).root.group("external")
            _ = try? HDF5File(path: paths.links).root.childKind("soft_a/x")
            _ = try? HDF5File(path: paths.path).root.group("data").dataset("strings").readFloats()
            _ = try? HDF5File(image: [1, 2, 3], name: "bad.h5")
        }
        let printed = try await standardError {
            await onNewThread(failures)
            await Task.detached(operation: failures).value
            failures()
        }
        #expect(!printed.contains("HDF5-DIAG"), "\(printed)")
        // The capture works: a raw libhdf5 failure on a new thread prints its trace.
        let control = try await standardError(echo: false) {
            await onNewThread { _ = H5Dopen2(-1, "nothing", hid_t(H5P_DEFAULT)) }
        }
        #expect(control.contains("HDF5-DIAG"))
    }
}
