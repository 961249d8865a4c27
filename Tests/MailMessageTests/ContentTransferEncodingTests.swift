import Testing

@testable import MailMessage

@Suite("ContentTransferEncoding")
struct ContentTransferEncodingTests {
    @Test("names content transfer encodings")
    func names() {
        #expect(ContentTransferEncoding(parsing: " Base64 ") == .base64)
        #expect(ContentTransferEncoding(parsing: "QUOTED-PRINTABLE") == .quotedPrintable)
        #expect(ContentTransferEncoding(parsing: "") == .sevenBit)
        #expect(ContentTransferEncoding(parsing: "x-uuencode") == .other("x-uuencode"))
    }
}
