import Testing

@testable import POP3Protocol

@Suite("POP3Capabilities")
struct POP3CapabilitiesTests {
    @Test("every RFC 2449 capability is parsed")
    func all() {
        let block = Array("""
            TOP\r\nUSER\r\nSASL PLAIN scram-sha-256 XOAUTH2\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n\
            UIDL\r\nLOGIN-DELAY 900\r\nEXPIRE 31 USER\r\nIMPLEMENTATION Shlemazle Plotz-v302\r\nSTLS\r\n
            """.utf8)
        let capabilities = POP3Capabilities(parsing: block)
        #expect(capabilities.isKnown)
        #expect(capabilities.top && capabilities.user && capabilities.uidl && capabilities.stls)
        #expect(capabilities.pipelining && capabilities.responseCodes && capabilities.authResponseCode)
        #expect(capabilities.saslMechanisms == ["PLAIN", "SCRAM-SHA-256", "XOAUTH2"])
        #expect(capabilities.loginDelay == 900)
        #expect(capabilities.expire == .days(31))
        #expect(capabilities.implementation == "Shlemazle Plotz-v302")
    }

    @Test("EXPIRE NEVER, lower-case tags and bare LF line ends")
    func lenient() {
        let capabilities = POP3Capabilities(parsing: Array("expire NEVER\ntop\n".utf8))
        #expect(capabilities.expire == .never)
        #expect(capabilities.top)
        #expect(!capabilities.pipelining)
    }

    @Test("unknown capabilities know nothing")
    func unknown() {
        #expect(!POP3Capabilities.unknown.isKnown)
        #expect(!POP3Capabilities.unknown.stls)
        #expect(POP3Capabilities.unknown.saslMechanisms.isEmpty)
    }
}
