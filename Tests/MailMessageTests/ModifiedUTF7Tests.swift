import Testing

@testable import MailMessage

@Suite("Modified UTF-7 (RFC 3501 §5.1.3)")
struct ModifiedUTF7Tests {
    @Test(
        "known encodings round-trip",
        arguments: [
            ("INBOX", "INBOX"),
            ("Tom & Jerry", "Tom &- Jerry"),
            ("Почта", "&BB8EPgRHBEIEMA-"),
            ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("😀", "&2D3eAA-"),
        ])
    func roundTrip(plain: String, encoded: String) {
        #expect(ModifiedUTF7.encode(plain) == encoded)
        #expect(ModifiedUTF7.decode(encoded) == plain)
    }

    @Test("malformed input decodes to nil", arguments: ["&", "&Jjo", "&A-", "a\u{80}", "&!!-"])
    func malformed(text: String) {
        #expect(ModifiedUTF7.decode(text) == nil)
    }
}
