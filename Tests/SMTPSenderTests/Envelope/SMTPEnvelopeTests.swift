import Testing

@testable import SMTPSender

@Suite("SMTPEnvelope")
struct SMTPEnvelopeTests {
    @Test("an envelope needs a recipient, drops duplicates and knows when SMTPUTF8 is needed")
    func envelope() throws {
        #expect(throws: SMTPError.self) { _ = try SMTPEnvelope(from: "a@b.c", to: []) }
        let envelope = try SMTPEnvelope(from: "a@b.c", to: ["x@y.z", "x@y.z", "w@y.z"])
        #expect(envelope.recipients.map(\.address) == ["x@y.z", "w@y.z"])
        #expect(!envelope.requiresSMTPUTF8)
        #expect(try SMTPEnvelope(from: "a@b.c", to: ["ü@y.z"]).requiresSMTPUTF8)
    }
}
