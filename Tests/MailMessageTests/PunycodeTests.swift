import Testing

@testable import MailMessage

@Suite("Punycode")
struct PunycodeTests {
    @Test("encodes labels as RFC 3492 does", arguments: [
        ("bücher", "bcher-kva"), ("münchen", "mnchen-3ya"), ("правда", "80aafi6cg"),
        ("почта", "80a1acny"), ("рф", "p1ai"), ("例え", "r8jz45g"), ("ドメイン名例", "eckwd4c7cu47r2wf"),
    ])
    func encode(_ pair: (String, String)) {
        #expect(Punycode.encode(pair.0) == pair.1)
        #expect(Punycode.decode(pair.1) == pair.0)
    }

    @Test("rejects malformed input when decoding")
    func malformed() {
        #expect(Punycode.decode("a-!") == nil)
        #expect(Punycode.decode("99999999999999") == nil)
    }
}
