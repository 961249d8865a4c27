import Foundation
import Testing

@testable import MailMessage

@Suite("Quoted-printable")
struct QuotedPrintableTests {
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
}
