import Testing
@testable import KerasInspectCLI

@Suite struct ArgumentParserTests {
    let spec = ArgumentSpec(valueOptions: ["format": ["text", "json"], "input": nil], flags: ["expand-nested"])

    @Test func positionalsFlagsAndOptions() throws {
        let parsed = try ArgumentParser.parse(["m.h5", "--format", "json", "--expand-nested"], spec: spec)
        #expect(parsed.positionals == ["m.h5"])
        #expect(parsed.value("format") == "json")
        #expect(parsed.has("expand-nested"))
    }

    @Test func inlineValuesRepeatsAndDoubleDash() throws {
        let parsed = try ArgumentParser.parse(["--input=a.npy", "--input", "b.npy", "--", "--odd-name.h5"], spec: spec)
        #expect(parsed.values("input") == ["a.npy", "b.npy"])
        #expect(parsed.positionals == ["--odd-name.h5"])
    }

    @Test(arguments: [["--format"], ["--format", "xml"], ["--nope"], ["-x"], ["--expand-nested=1"]])
    func badCommandLinesAreUsageErrors(_ arguments: [String]) {
        #expect(throws: UsageError.self) { try ArgumentParser.parse(arguments, spec: spec) }
    }
}
