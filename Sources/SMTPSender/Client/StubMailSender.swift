import Synchronization

/// A ``MailSending`` that sends nothing: it records each message and answers as told, so code
/// that sends mail can be tested without a server (in the manner of lettre's `StubTransport`).
///
/// It lives here rather than in MailTesting because MailTesting never depends on the protocol
/// clients (see DESIGN.md), while a stub must conform to this module's protocol.
///
/// ```swift
/// let sender = StubMailSender()
/// try await linker.sendConfirmation(using: sender)
/// #expect(sender.sentMessages.first?.envelope.recipients.first?.address == "new@example.com")
/// sender.failure = SMTPError(.transient)   // the next sends throw it
/// ```
public final class StubMailSender: MailSending, Sendable {
    /// One recorded send.
    public struct SentMessage: Sendable, Hashable {
        /// The envelope given.
        public var envelope: SMTPEnvelope
        /// The message bytes given, unchanged.
        public var message: [UInt8]
    }

    private struct State {
        var sent: [SentMessage] = []
        var failure: SMTPError?
        var attempts = 0
    }

    private let state = Mutex(State())

    /// A stub that accepts everything until told to fail.
    public init() {}

    /// The messages accepted so far, in order.
    public var sentMessages: [SentMessage] { state.withLock { $0.sent } }

    /// How many times ``send(envelope:message:)`` was called, failed ones included.
    public var attemptCount: Int { state.withLock { $0.attempts } }

    /// When set, every send throws this error and records nothing.
    public var failure: SMTPError? {
        get { state.withLock { $0.failure } }
        set { state.withLock { $0.failure = newValue } }
    }

    /// Records the message and reports every recipient accepted, or throws ``failure``.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        try state.withLock { state in
            state.attempts += 1
            if let failure = state.failure { throw failure }
            state.sent.append(SentMessage(envelope: envelope, message: message))
            let accepted = SMTPReply(code: 250, enhancedStatus: EnhancedStatusCode(2, 1, 5), lines: ["Ok"])
            return SMTPSendResult(
                recipients: envelope.recipients.map { SMTPSendResult.RecipientOutcome(recipient: $0, reply: accepted) },
                finalReply: SMTPReply(
                    code: 250, enhancedStatus: EnhancedStatusCode(2, 0, 0), lines: ["Ok: queued by stub"]))
        }
    }
}
