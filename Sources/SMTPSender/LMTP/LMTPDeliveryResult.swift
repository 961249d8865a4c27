/// What an LMTP server did with one message, recipient by recipient (RFC 2033 §4.2).
///
/// Unlike SMTP, where one reply after the final dot speaks for every recipient, an LMTP server
/// answers once per accepted recipient, in `RCPT` order, so one mailbox can take a message while
/// another refuses it (over quota, say):
///
/// ```
/// C: RCPT TO:<judy@example.test>
/// S: 250 2.1.5 OK
/// C: RCPT TO:<ivan@example.test>
/// S: 250 2.1.5 OK
/// C: DATA
/// S: 354 OK
/// C: …message… CRLF . CRLF
/// S: 250 2.0.0 <judy@example.test> Saved
/// S: 452 4.2.2 <ivan@example.test> Mailbox is full
/// ```
public struct LMTPDeliveryResult: Sendable, Hashable {
    /// One recipient's outcome.
    public struct RecipientOutcome: Sendable, Hashable {
        /// The recipient.
        public var recipient: SMTPPath
        /// The server's reply to its `RCPT TO`.
        public var recipientReply: SMTPReply
        /// The server's reply for it after the final dot; nil when `RCPT TO` was refused.
        public var dataReply: SMTPReply?

        /// An outcome.
        public init(recipient: SMTPPath, recipientReply: SMTPReply, dataReply: SMTPReply?) {
            self.recipient = recipient
            self.recipientReply = recipientReply
            self.dataReply = dataReply
        }

        /// Whether the message is in this recipient's mailbox: the reply after the dot was 2xx,
        /// which RFC 2033 §4.2 makes the server's promise that the message is stored.
        public var isDelivered: Bool { dataReply?.isPositiveCompletion == true }

        /// Why the message did not reach this recipient, nil when it did: the refusal of its
        /// `RCPT TO`, or of the message after the dot (a 4xx is worth retrying, ``SMTPError/isTransient``).
        public var error: SMTPError? {
            if let dataReply {
                guard !dataReply.isPositiveCompletion else { return nil }
                return SMTPError.classify(dataReply, during: .data, address: recipient.address)
            }
            return SMTPError.classify(recipientReply, during: .recipient, address: recipient.address)
        }
    }

    /// Every recipient, in the order given.
    public var recipients: [RecipientOutcome]

    /// A result.
    public init(recipients: [RecipientOutcome]) {
        self.recipients = recipients
    }

    /// The recipients whose mailbox holds the message now.
    public var deliveredRecipients: [SMTPPath] { recipients.filter(\.isDelivered).map(\.recipient) }

    /// An error per recipient that did not get the message.
    public var failures: [SMTPError] { recipients.compactMap(\.error) }

    /// The outcome for `recipient`, if it was one.
    public func outcome(for recipient: SMTPPath) -> RecipientOutcome? {
        recipients.first { $0.recipient == recipient }
    }
}
