/// What happened to one message: which recipients the server took and which it refused.
///
/// A send succeeds when the server accepted the message for at least one recipient; the
/// refused ones are listed with the server's reply so the caller can tell the user
/// (RFC 5321 §3.3: each RCPT is accepted or refused on its own).
public struct SMTPSendResult: Sendable, Hashable {
    /// One recipient's outcome.
    public struct RecipientOutcome: Sendable, Hashable {
        /// The recipient.
        public var recipient: SMTPPath
        /// The server's reply to its `RCPT TO`.
        public var reply: SMTPReply
        /// Whether the server accepted the recipient (2xx).
        public var isAccepted: Bool { reply.isPositiveCompletion }
    }

    /// Every recipient in envelope order.
    public var recipients: [RecipientOutcome]
    /// The server's reply after the message data (often with a queue id, e.g. `250 2.0.0 Ok: queued as 4F2A1`).
    public var finalReply: SMTPReply

    /// A result.
    public init(recipients: [RecipientOutcome], finalReply: SMTPReply) {
        self.recipients = recipients
        self.finalReply = finalReply
    }

    /// The recipients the message was accepted for.
    public var acceptedRecipients: [SMTPPath] { recipients.filter(\.isAccepted).map(\.recipient) }
    /// The recipients the server refused, with an error per recipient.
    public var refusedRecipients: [SMTPError] {
        recipients.filter { !$0.isAccepted }.map {
            SMTPError.classify($0.reply, during: .recipient, address: $0.recipient.address)
        }
    }
}
