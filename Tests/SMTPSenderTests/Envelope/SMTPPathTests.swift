import Testing

@testable import SMTPSender

@Suite("SMTPPath")
struct SMTPPathTests {
    @Test("ordinary, plus-tagged, literal and internationalised addresses are accepted")
    func accepted() throws {
        for address in [
            "alice@example.com", "a.b+tag@sub.example.org", "x@[192.0.2.1]", "\"q\"@example.com", "иван@почта.рф",
        ] {
            #expect(throws: Never.self, "\(address)") { _ = try SMTPPath(address) }
        }
        #expect(try SMTPPath("иван@почта.рф").requiresSMTPUTF8)
        #expect(try !SMTPPath("alice@example.com").requiresSMTPUTF8)
    }

    @Test(
        "addresses that could inject a command or a parameter are refused",
        arguments: [
            "a@b.c>\r\nRSET", "a@b.c\nDATA", "a@b.c\r", "a\u{0}@b.c", "a@b.c> SIZE=1", "<a@b.c>", "a b@c.d",
            "a@b.c\t", "a@b.c\u{7f}",
        ])
    func injection(_ address: String) {
        let error = #expect(throws: SMTPError.self) { _ = try SMTPPath(address) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.address?.contains("\r") == false)
    }

    @Test("malformed and over-long addresses are refused")
    func malformed() {
        let longLocal = String(repeating: "l", count: 65) + "@example.com"
        let longDomain = "a@" + String(repeating: "d", count: 256)
        for address in [
            "", "alice", "@example.com", "alice@", "@a,@b:c@d.e", longLocal, longDomain, "a@exa_mple.com", "a@b/c",
        ] {
            #expect(throws: SMTPError.self, "\(address.prefix(20))") { _ = try SMTPPath(address) }
        }
    }

}
