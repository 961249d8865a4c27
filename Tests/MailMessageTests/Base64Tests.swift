import Testing

@testable import MailMessage

@Suite("Base64")
struct Base64Tests {
    @Test("base64 round-trips every length and wraps at 76")
    func base64() {
        for length in 0..<200 {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64.encodeBytes(data)
            let lines = encoded.split(separator: 0x0A)
            #expect(lines.allSatisfy { $0.count <= 77 })
            #expect(Base64.decode(encoded) == data)
        }
        #expect(Base64.encode(Array("Man".utf8)) == "TWFu")
        #expect(Base64.encode(Array("Ma".utf8)) == "TWE=")
    }

    @Test("base64 decoding skips junk and tolerates missing padding")
    func base64Tolerant() {
        #expect(Base64.decode(Array("TW\r\nFu IE1h".utf8)) == Array("Man Ma".utf8))
        #expect(Base64.decode(Array("TWE".utf8)) == Array("Ma".utf8))
        #expect(Base64.decode(Array("TWE=junk".utf8)) == Array("Ma".utf8))
    }
}
