import Foundation
import Testing

@testable import MailTesting

/// The fake authorization server's own HTTP pieces: its form decoding and its JSON writer,
/// written without Foundation's percent coding and JSONSerialization.
@Suite("Fake authorization server: forms and JSON")
struct FakeHTTPMessageTests {
    @Test("form fields decode %XX escapes and '+' as a space, keeping '=' inside a value")
    func formFields() {
        let fields = FakeHTTPRequest.formFields("a=b%20c&d=e+f&g=%E2%82%AC&h=x=y&empty=&flag")
        #expect(fields == ["a": "b c", "d": "e f", "g": "€", "h": "x=y", "empty": "", "flag": ""])
    }

    @Test("a malformed escape is kept as it was written")
    func malformedEscape() {
        #expect(FakeHTTPRequest.formFields("a=100%&b=%zz") == ["a": "100%", "b": "%zz"])
    }

    @Test("the JSON writer sorts keys and escapes what RFC 8259 requires; Foundation reads it back")
    func jsonWriter() throws {
        let text = FakeHTTPAnswer.jsonText([
            "z": 3600, "a": ["S256"], "ok": true, "s": "quote \" backslash \\ line\n tab\t bell\u{7} é",
        ] as [String: any Sendable])
        #expect(text == #"{"a":["S256"],"ok":true,"s":"quote \" backslash \\ line\n tab\t bell\u0007 é","z":3600}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == "quote \" backslash \\ line\n tab\t bell\u{7} é")
        #expect(parsed["z"] as? Int == 3600)
    }

    @Test("query values are percent-encoded except RFC 3986's unreserved characters, non-ASCII included")
    func queryEscape() {
        #expect(FakeAuthorizationServer.queryEscape("a b&c=d/é~-._") == "a%20b%26c%3Dd%2F%C3%A9~-._")
    }
}
