/// Who a message is from and to, as the SMTP server sees it (RFC 5321 §2.3.1, §3.3): the
/// reverse path of `MAIL FROM` and the forward paths of `RCPT TO`.
///
/// The envelope is separate from the message's `From:`/`To:` headers on purpose: Bcc
/// recipients appear only here, and a bounce address can differ from the author.
///
/// ```swift
/// let envelope = try SMTPEnvelope(from: "alice@example.com", to: ["bob@example.org"])
/// // C: MAIL FROM:<alice@example.com>
/// // C: RCPT TO:<bob@example.org>
/// ```
public struct SMTPEnvelope: Sendable, Hashable {
    /// The reverse path; nil is the null path `<>` used for bounces (RFC 5321 §4.5.5).
    public var sender: SMTPPath?
    /// The forward paths, at least one, without duplicates, in the given order.
    public let recipients: [SMTPPath]

    /// An envelope from validated paths.
    /// - Throws: ``SMTPError/Code-swift.struct/invalidArgument`` when `recipients` is empty.
    public init(sender: SMTPPath?, recipients: [SMTPPath]) throws(SMTPError) {
        guard !recipients.isEmpty else {
            throw SMTPError(.invalidArgument, detail: "an envelope needs at least one recipient")
        }
        var seen = Set<SMTPPath>()
        self.sender = sender
        self.recipients = recipients.filter { seen.insert($0).inserted }
    }

    /// An envelope from address strings, each validated by ``SMTPPath``.
    public init(from sender: String, to recipients: [String]) throws(SMTPError) {
        var paths: [SMTPPath] = []
        for recipient in recipients { paths.append(try SMTPPath(recipient)) }
        try self.init(sender: try SMTPPath(sender), recipients: paths)
    }

    /// Whether any address needs SMTPUTF8 (RFC 6531 §3.4).
    public var requiresSMTPUTF8: Bool {
        sender?.requiresSMTPUTF8 == true || recipients.contains { $0.requiresSMTPUTF8 }
    }
}
