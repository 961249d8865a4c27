import MailAuth
import Testing

@testable import MailOAuth

@Suite("PKCE (RFC 7636)")
struct PKCETests {
    @Test("the S256 challenge matches RFC 7636 Appendix B")
    func appendixB() {
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(pkce.method == "S256")
    }

    @Test("a fresh verifier is 43 base64url characters from 32 random bytes")
    func verifierShape() {
        let pkce = PKCE(random: RandomBytesSource { Array(repeating: 0xFB, count: $0) })
        #expect(pkce.verifier.count == 43)
        #expect(pkce.verifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(pkce.verifier.contains("-") || pkce.verifier.contains("_"))
    }

    @Test("the description never shows the verifier")
    func redacted() {
        let pkce = PKCE()
        #expect(!"\(pkce)".contains(pkce.verifier))
        #expect(!String(reflecting: pkce).contains(pkce.verifier) || "\(pkce)" == String(reflecting: pkce))
    }
}
