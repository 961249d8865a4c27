import AccountLinking
import Foundation
import MailAuth
import MailMessage
import Testing

@Suite("Confirmation secrets, records and the e-mail")
struct ConfirmationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a code is 8 characters from an alphabet without look-alikes; a token is 43 base64url characters")
    func secretShape() {
        for _ in 0..<50 {
            let secret = ConfirmationSecret()
            #expect(secret.code.count == 8)
            #expect(secret.code.allSatisfy { ConfirmationSecret.codeAlphabet.contains($0) })
            #expect(!secret.code.contains { "01OIL".contains($0) })
            #expect(secret.token.count == 43)
            #expect(secret.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(ConfirmationSecret().displayCode.count == 9)
    }

    @Test("typed codes are normalised: case, spaces and the dash do not matter; other text is not a code")
    func normalizing() {
        #expect(ConfirmationSecret.normalizedCode("abcd-efgh") == "ABCDEFGH")
        #expect(ConfirmationSecret.normalizedCode(" ABCD EFGH ") == "ABCDEFGH")
        #expect(ConfirmationSecret.normalizedCode("ABCD-EFG0") == nil)
        #expect(ConfirmationSecret.normalizedCode("ABCDEFG") == nil)
        #expect(ConfirmationSecret.token(inLink: "https://x.example/c?a=1&token=abc#frag") == "abc")
        #expect(ConfirmationSecret.token(inLink: "https://x.example/c?token=") == nil)
    }

    @Test("the record stores digests only, and accepts its link and code until expiry")
    func accepts() {
        let secret = ConfirmationSecret()
        var record = ConfirmationRecord(secret: secret, issuedAt: now, lifetime: .seconds(3600))
        #expect(record.linkDigest != secret.token && !record.codeDigest.contains(secret.code))
        #expect(record.check(token: secret.token, at: now.addingTimeInterval(3599)) == .accepted)
        #expect(record.check(code: secret.code, at: now.addingTimeInterval(3599)) == .accepted)
    }

    @Test("after the lifetime, link and code are expired")
    func expired() {
        let secret = ConfirmationSecret()
        var record = ConfirmationRecord(secret: secret, issuedAt: now, lifetime: .seconds(3600))
        #expect(record.check(token: secret.token, at: now.addingTimeInterval(3600)) == .expired)
        #expect(record.check(code: secret.code, at: now.addingTimeInterval(3601)) == .expired)
    }

    @Test("a forged token or code is rejected")
    func forged() {
        let secret = ConfirmationSecret()
        var record = ConfirmationRecord(secret: secret, issuedAt: now)
        #expect(record.check(token: ConfirmationSecret().token, at: now) == .rejected(remainingAttempts: nil))
        let other = secret.code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"
        #expect(record.check(code: other, at: now) == .rejected(remainingAttempts: 4))
    }

    @Test("five wrong codes lock the code, even against the right one; the link still works")
    func locked() {
        let secret = ConfirmationSecret()
        var record = ConfirmationRecord(secret: secret, issuedAt: now)
        let wrong = secret.code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"
        for attempt in 1...4 { #expect(record.check(code: wrong, at: now) == .rejected(remainingAttempts: 5 - attempt)) }
        #expect(record.check(code: wrong, at: now) == .locked)
        #expect(record.check(code: secret.code, at: now) == .locked)
        #expect(record.check(token: secret.token, at: now) == .accepted)
    }

    @Test("the e-mail is multipart/alternative with the link and the code, and prose lines within 78 characters")
    func message() throws {
        let secret = ConfirmationSecret()
        let built = ConfirmationMessage(
            text: ConfirmationText(productName: "Acme Mail"), primary: try EmailAddress("me@primary.example"),
            address: try EmailAddress("you@linked.example"), link: secret.link(base: "https://acme.example/confirm"),
            code: secret.displayCode, lifetime: .seconds(48 * 3600)
        ).message()
        let text = String(decoding: try built.encoded(), as: UTF8.self)
        #expect(text.contains("multipart/alternative"))
        #expect(text.contains("text/html"))
        #expect(built.textBody.contains(secret.link(base: "https://acme.example/confirm")))
        #expect(built.textBody.contains(secret.displayCode))
        #expect(built.textBody.contains("Acme Mail"))
        #expect(built.textBody.contains("48 hours"))
        #expect(built.htmlBody?.contains(secret.displayCode) == true)
        #expect(built.subject == "Confirm that you own you@linked.example")
        for line in built.textBody.split(separator: "\n") where !line.hasPrefix("https://") {
            #expect(line.count <= 78, "\(line)")
        }
    }

    @Test("a host's own words replace the default text, with placeholders filled")
    func customText() throws {
        var words = ConfirmationText(productName: "Acme")
        words.subject = "{product}: bitte {address} bestätigen"
        words.introduction = "Hallo! {address} soll mit {primary} verbunden werden. Gültig: {expiry}."
        let built = ConfirmationMessage(
            text: words, primary: try EmailAddress("me@primary.example"), address: try EmailAddress("you@linked.example"),
            link: "https://acme.example/c?token=x", code: "ABCD-EFGH", lifetime: .seconds(90)
        ).message()
        #expect(built.subject == "Acme: bitte you@linked.example bestätigen")
        #expect(built.textBody.split(separator: "\n").joined(separator: " ").contains("Hallo! you@linked.example soll mit me@primary.example verbunden werden. Gültig: 90 seconds."))
    }

    @Test("HTML special characters in the host's words are escaped")
    func escaping() throws {
        var words = ConfirmationText(productName: "<script>alert(1)</script>")
        words.introduction = "{product} & co"
        let built = ConfirmationMessage(
            text: words, primary: try EmailAddress("me@primary.example"), address: try EmailAddress("you@linked.example"),
            link: "https://acme.example/c?token=x&y=\"", code: "ABCD-EFGH", lifetime: .seconds(60)
        ).message()
        #expect(built.htmlBody?.contains("<script>") == false)
        #expect(built.htmlBody?.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") == true)
        #expect(built.htmlBody?.contains("&amp;y=&quot;") == true)
    }
}
