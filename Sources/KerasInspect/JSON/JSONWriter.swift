/// Serialises `JSONValue`s, either compact or indented with two spaces.
public enum JSONWriter {
    public static func string(_ value: JSONValue, pretty: Bool = true) -> String {
        var output = ""
        write(value, into: &output, indent: pretty ? 0 : nil)
        return output
    }

    private static func write(_ value: JSONValue, into output: inout String, indent: Int?) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .number(let number): output += format(number)
        case .string(let string): writeString(string, into: &output)
        case .array(let array):
            if array.isEmpty { output += "[]"; return }
            // Short arrays of scalars (shapes, triples) stay on one line for readability.
            let scalarsOnly = array.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            if indent == nil || scalarsOnly {
                output += "["
                for (index, element) in array.enumerated() {
                    if index > 0 { output += indent == nil ? "," : ", " }
                    write(element, into: &output, indent: nil)
                }
                output += "]"
                return
            }
            let inner = indent! + 2
            output += "[\n"
            for (index, element) in array.enumerated() {
                output += String(repeating: " ", count: inner)
                write(element, into: &output, indent: inner)
                output += index == array.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: " ", count: indent!) + "]"
        case .object(let object):
            if object.count == 0 { output += "{}"; return }
            guard let indent else {
                output += "{"
                for (index, entry) in object.entries.enumerated() {
                    if index > 0 { output += "," }
                    writeString(entry.key, into: &output)
                    output += ":"
                    write(entry.value, into: &output, indent: nil)
                }
                output += "}"
                return
            }
            let inner = indent + 2
            output += "{\n"
            for (index, entry) in object.entries.enumerated() {
                output += String(repeating: " ", count: inner)
                writeString(entry.key, into: &output)
                output += ": "
                write(entry.value, into: &output, indent: inner)
                output += index == object.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: " ", count: indent) + "}"
        }
    }

    private static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded() == number, abs(number) < 9.0e15 { return String(Int(number)) }
        return String(number)
    }

    private static func writeString(_ string: String, into output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
