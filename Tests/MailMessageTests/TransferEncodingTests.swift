import Foundation
import Testing

@testable import MailMessage

@Suite("Base64 and quoted-printable")
struct TransferEncodingTests {
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

    @Test("quoted-printable decodes escapes, soft breaks and transport padding")
    func qpDecode() {
        #expect(QuotedPrintable.decode(Array("caf=C3=A9=\r\n au lait   \r\nnext=\nline".utf8)) == Array("café au lait\r\nnextline".utf8))
        #expect(QuotedPrintable.decode(Array("a=zz=4".utf8)) == Array("a=zz=4".utf8))
        #expect(QuotedPrintable.decode(Array("lower=c3=a9".utf8)) == Array("loweré".utf8))
    }

    @Test("quoted-printable encoding keeps lines within 76 and round-trips")
    func qpRoundTrip() {
        let text = "Привет = hello\t\nline with trailing space \n" + String(repeating: "long ", count: 60) + "\nend"
        let encoded = QuotedPrintable.encode(Array(text.utf8))
        let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        let expected = text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self) == expected)
    }

    @Test("names content transfer encodings")
    func names() {
        #expect(ContentTransferEncoding(parsing: " Base64 ") == .base64)
        #expect(ContentTransferEncoding(parsing: "QUOTED-PRINTABLE") == .quotedPrintable)
        #expect(ContentTransferEncoding(parsing: "") == .sevenBit)
        #expect(ContentTransferEncoding(parsing: "x-uuencode") == .other("x-uuencode"))
    }
}
