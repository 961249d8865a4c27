import Testing

@testable import MailTransport

@Suite("application/x-www-form-urlencoded (RFC 6749 Appendix B)")
struct HTTPFormTests {
    @Test("reserved bytes are percent-encoded, spaces become +, unreserved ones stay")
    func encode() {
        #expect(
            HTTPForm.encode([("scope", "a b"), ("x", "é&=+/?"), ("safe", "A-z_0.9*")])
                == "scope=a+b&x=%C3%A9%26%3D%2B%2F%3F&safe=A-z_0.9*")
        #expect(HTTPForm.encode([("crlf", "a\r\nb")]) == "crlf=a%0D%0Ab")
    }

    @Test("decoding reverses encoding, keeps order and repeats, and survives bad escapes")
    func decode() {
        let fields = [("code", "x y+z"), ("state", "é"), ("code", "2")]
        let decoded = HTTPForm.decode(HTTPForm.encode(fields))
        #expect(decoded.map(\.name) == ["code", "state", "code"])
        #expect(decoded.map(\.value) == ["x y+z", "é", "2"])
        let odd = HTTPForm.decode("a=%zz&b&c=%4")
        #expect(odd.map(\.value) == ["%zz", "", "%4"])
    }

    @Test("a path is percent-decoded strictly: '+' stays, a bad escape or bytes that are not UTF-8 give nil")
    func percentDecodedPath() {
        #expect(HTTPForm.percentDecoded("/inbox/a%20b+c/%C3%A9") == "/inbox/a b+c/é")
        #expect(HTTPForm.percentDecoded("/plain") == "/plain")
        #expect(HTTPForm.percentDecoded("/a%2") == nil)
        #expect(HTTPForm.percentDecoded("/a%zz") == nil)
        #expect(HTTPForm.percentDecoded("/a%FF") == nil)
    }
}
