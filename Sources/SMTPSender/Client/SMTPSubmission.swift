/// One message to submit: its envelope and its bytes, for ``SMTPClient/send(_:)``.
///
/// ```swift
/// let submission = SMTPSubmission(envelope: try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"]),
///                                 message: messageBytes)
/// ```
public struct SMTPSubmission: Sendable, Hashable {
    /// The MAIL FROM and RCPT TO addresses (RFC 5321 §3.3).
    public var envelope: SMTPEnvelope
    /// The RFC 5322 message, any line ends; it is sent with CRLF (and dot-stuffed for DATA).
    public var message: [UInt8]

    /// A submission.
    public init(envelope: SMTPEnvelope, message: [UInt8]) {
        self.envelope = envelope
        self.message = message
    }
}
