/// Something that submits a message: the one-method seam between code that sends mail and the
/// SMTP machinery (in the manner of lettre's `Transport`).
///
/// ``SMTPClient`` is the real implementation; ``StubMailSender`` records messages for tests.
/// Convenience (building from an `OutgoingMessage`) sits in extensions on top.
public protocol MailSending: Sendable {
    /// Submits `message` (RFC 5322 bytes, any line ends) to the envelope's recipients.
    ///
    /// - Returns: which recipients were accepted; at least one was, or the call throws.
    /// - Throws: ``SMTPError`` (a transport failure may come through as `TransportError`).
    func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult
}
