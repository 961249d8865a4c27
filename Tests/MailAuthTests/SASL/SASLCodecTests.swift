import MailAuth
import Testing

@Suite("SASL base64 codec")
struct SASLCodecTests {
    @Test(
        "encodes and decodes the RFC 4648 §10 test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func rfc4648(plain: String, encoded: String) throws {
        #expect(SASLCodec.encode(utf8(plain)) == encoded)
        #expect(try SASLCodec.decode(encoded) == utf8(plain))
    }

    @Test("round-trips every byte value")
    func allBytes() throws {
        let bytes = (0...255).map { UInt8($0) }
        #expect(try SASLCodec.decode(SASLCodec.encode(bytes)) == bytes)
    }

    @Test("accepts missing padding, which some servers omit")
    func missingPadding() throws {
        #expect(try SASLCodec.decode("Zm9vYg") == utf8("foob"))
        #expect(try SASLCodec.decode("Zm9vYmE") == utf8("fooba"))
    }

    @Test(
        "rejects characters outside the alphabet and impossible lengths",
        arguments: ["Zm9v!", "Zm 9v", "Z", "Zm9vY", "Zg=", "-_8="])
    func rejects(text: String) {
        expectError(.invalidBase64) { _ = try SASLCodec.decode(text) }
    }

    @Test("writes an empty initial response as a single '=' (RFC 4954 §4)")
    func emptyInitialResponse() {
        #expect(SASLCodec.encodeInitialResponse([]) == "=")
        #expect(SASLCodec.encodeInitialResponse(utf8("a")) == "YQ==")
    }
}
