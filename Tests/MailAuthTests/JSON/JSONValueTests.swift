import Testing

@testable import MailAuth

/// The JSON value OAuth answers and challenges are read with, and linkmail writes with.
@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses every shape, telling whole numbers from others")
    func parsesShapes() throws {
        let value = try JSONValue(parsing: Array(#"{"a":[1,2.5,"x",true,null],"b":{"c":-3}}"#.utf8))
        #expect(value["a"] == .array([.integer(1), .number(2.5), .string("x"), .bool(true), .null]))
        #expect(value["b"]?["c"] == .integer(-3))
        #expect(value["missing"] == nil)
    }

    @Test("refuses what is not JSON")
    func refusesGarbage() {
        #expect(throws: (any Error).self) { try JSONValue(parsing: Array("{status: 401".utf8)) }
    }

    @Test("gives a number's text as the challenge's status needs it: 401, not 401.0")
    func numberText() throws {
        #expect(try JSONValue(parsing: Array("401".utf8)).text == "401")
        #expect(JSONValue.number(401).text == "401")
        #expect(JSONValue.number(1.5).text == "1.5")
        #expect(JSONValue.string("invalid_token").text == "invalid_token")
        #expect(JSONValue.bool(true).text == nil)
    }

    @Test("converts Swift values, a nil optional becoming null, and writes them with sorted keys")
    func convertsAndWrites() throws {
        let missing: String? = nil
        let object: [String: Any] = ["z": 1, "a": ["x", true], "m": missing as Any, "d": 0.5, "s": "a/b\"c"]
        let value = try #require(JSONValue(converting: object))
        #expect(value.jsonText == #"{"a":["x",true],"d":0.5,"m":null,"s":"a\/b\"c","z":1}"#)
        #expect(try JSONValue(parsing: Array(value.jsonText.utf8)) == value)
    }

    @Test("refuses to convert a value JSON has no form for")
    func refusesUnknownValues() {
        struct Opaque {}
        #expect(JSONValue(converting: ["a": Opaque()]) == nil)
    }
}
