import MailAuth
import Testing

@Suite("SASLprep")
struct SASLprepTests {
    @Test("passes ASCII through unchanged")
    func ascii() throws {
        #expect(try SASLprep.prepare("pencil 1234 !#$%") == "pencil 1234 !#$%")
    }

    @Test(
        "reproduces the RFC 4013 §3 examples",
        arguments: [
            ("I\u{00AD}X", "IX"),  // soft hyphen mapped to nothing
            ("user", "user"),
            ("USER", "USER"),
            ("\u{00AA}", "a"),  // NFKC
            ("\u{2168}", "IX"),  // NFKC
        ])
    func rfc4013(input: String, output: String) throws {
        #expect(try SASLprep.prepare(input) == output)
    }

    @Test("maps non-ASCII spaces to a plain space")
    func spaces() throws {
        #expect(try SASLprep.prepare("pass\u{00A0}word\u{3000}") == "pass word ")
    }

    @Test(
        "refuses prohibited characters",
        arguments: [0x0007, 0x007F, 0x0085, 0xE000, 0xFDD0, 0x1FFFE, 0x200E, 0xE0001] as [UInt32])
    func prohibited(scalar: UInt32) throws {
        let character = try #require(Unicode.Scalar(scalar))
        expectError(.invalidCredentialCharacters) { _ = try SASLprep.prepare("pass\(character)word") }
    }
}
