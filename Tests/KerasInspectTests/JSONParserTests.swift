import Testing
@testable import KerasInspect

@Suite struct JSONParserTests {
    @Test func parsesKerasStyleDocument() throws {
        let value = try JSONParser.parse(#"{"a": [1, 2.5, null, true], "b": {"c": "d\u00e9\n"}, "n": NaN}"#)
        #expect(value["a"]?.arrayValue?.count == 4)
        #expect(value["a"]?.arrayValue?[0].intValue == 1)
        #expect(value["b"]?["c"]?.stringValue == "dé\n")
        #expect(value["n"]?.doubleValue?.isNaN == true)
        #expect(value.objectValue?.keys == ["a", "b", "n"])
    }

    @Test func surrogatePairsAndLoneSurrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#).stringValue == "😀")
        #expect(try JSONParser.parse(#""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let deepObjects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deepObjects) }
    }

    @Test(arguments: ["", "{", #"{"a" 1}"#, "[1,]", #""unterminated"#, "tru", "{} x", "[1 2]", "\"\u{01}\""])
    func malformedInputIsRejected(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func writerRoundTrips() throws {
        let text = #"{"name": "m", "shape": [null, 3], "nested": [{"x": -1.5}], "s": "q\"\\\n"}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.string(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.string(value, pretty: false)) == value)
    }
}
