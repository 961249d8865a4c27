#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A message to send: addresses, subject, text and HTML bodies and attachments, encoded by
/// ``encoded(boundary:)`` into RFC 5322 / MIME bytes with CRLF line ends.
///
/// What it writes: `Date`, `From`, `Sender`, `Reply-To`, `To`, `Cc`, `Subject`, `Message-ID`,
/// `In-Reply-To`, `References`, `MIME-Version`, any ``extraFields``, then the body:
/// `text/plain; charset=utf-8` (7bit when plain ASCII, else quoted-printable), a
/// `multipart/alternative` when ``htmlBody`` is set, and a `multipart/mixed` with base64
/// attachments when there are any. Subjects and display names are RFC 2047 encoded only
/// when needed. `Bcc` is never written: those addresses only appear in ``recipients``, for
/// the SMTP envelope. Any CR, LF or NUL in a caller's value is refused, so no field can be
/// injected.
///
/// ```swift
/// var message = OutgoingMessage(from: try Mailbox("Анна <anna@example.ru>"))
/// message.to = [try Mailbox("bob@example.com")]
/// message.subject = "Привет"
/// message.textBody = "Hello"
/// let bytes = try message.encoded()
/// ```
public struct OutgoingMessage: Sendable, Hashable {
    /// The author (`From`).
    public var from: Mailbox
    /// The agent that sent for the author (`Sender`, RFC 5322 §3.6.2), e.g. a linked address.
    public var sender: Mailbox?
    /// Where replies go (`Reply-To`).
    public var replyTo: [Mailbox] = []
    /// Primary recipients.
    public var to: [Mailbox] = []
    /// Copied recipients.
    public var cc: [Mailbox] = []
    /// Blind copies: in ``recipients`` only, never in the message.
    public var bcc: [Mailbox] = []
    /// The subject, any Unicode text.
    public var subject: String = ""
    /// The plain text body.
    public var textBody: String = ""
    /// An optional HTML alternative to ``textBody``.
    public var htmlBody: String?
    /// Files attached.
    public var attachments: [Attachment] = []
    /// The `Date`; `nil` means the time of encoding.
    public var date: MailDate?
    /// The `Message-ID`; `nil` means a new one at the `From` domain.
    public var messageID: MessageID?
    /// `In-Reply-To` IDs.
    public var inReplyTo: [MessageID] = []
    /// `References` IDs.
    public var references: [MessageID] = []
    /// More fields to write after the standard ones, e.g. `X-Mailer`. Names the builder
    /// writes itself are refused.
    public var extraFields: [HeaderField] = []

    /// Creates a message from an author.
    public init(from: Mailbox) {
        self.from = from
    }

    /// Every recipient for the SMTP envelope: `To`, `Cc` and `Bcc`, each address once.
    public var recipients: [EmailAddress] {
        var seen = Set<EmailAddress>()
        return (to + cc + bcc).map(\.address).filter { seen.insert($0).inserted }
    }

    /// Whether an address of the message needs SMTPUTF8 (RFC 6531) to be sent.
    public var requiresSMTPUTF8: Bool {
        ([from] + (sender.map { [$0] } ?? []) + replyTo + to + cc + bcc).contains { $0.address.requiresSMTPUTF8 }
    }

    /// Fields the builder writes itself, so ``extraFields`` cannot repeat them.
    static let reservedNames: Set<String> = [
        "date", "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "message-id", "in-reply-to",
        "references", "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
    ]

    /// Encodes the message.
    /// - Parameter boundary: a fixed base for multipart boundaries, for reproducible output
    ///   in tests; `nil` picks a random one. Boundaries contain `=_`, which quoted-printable
    ///   and base64 output can never contain.
    /// - Throws: ``MessageError`` with `missingRecipients`, `headerInjection`,
    ///   `invalidFieldName` or `reservedField`.
    public func encoded(boundary: String? = nil) throws(MessageError) -> [UInt8] {
        guard !(to.isEmpty && cc.isEmpty && bcc.isEmpty) else {
            throw MessageError(.missingRecipients, "a message needs at least one recipient")
        }
        try HeaderFolding.checkInjection(subject, what: "the subject")
        for field in extraFields {
            let name = field.name
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }) else {
                throw MessageError(.invalidFieldName, "an extra field name is not printable ASCII without a colon")
            }
            guard !OutgoingMessage.reservedNames.contains(name.lowercased()) else {
                throw MessageError(.reservedField, "the builder writes \(name) itself")
            }
            guard !field.rawValue.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw MessageError(.headerInjection, "an extra field value contains CR, LF or NUL")
            }
        }
        let base = boundary ?? OutgoingMessage.randomBoundary()
        try HeaderFolding.checkInjection(base, what: "the boundary")

        var header = HeaderFolding()
        let date =
            self.date ?? MailDate(date: Date(), utcOffsetMinutes: MailDate.localOffsetMinutes(at: Date()))
        header.append(name: "Date", value: date.formatted)
        header.append(name: "From", value: try from.headerValue())
        if let sender { header.append(name: "Sender", value: try sender.headerValue()) }
        if !replyTo.isEmpty { header.append(name: "Reply-To", value: try OutgoingMessage.list(replyTo)) }
        if !to.isEmpty { header.append(name: "To", value: try OutgoingMessage.list(to)) }
        if !cc.isEmpty { header.append(name: "Cc", value: try OutgoingMessage.list(cc)) }
        header.append(name: "Subject", value: HeaderFolding.unstructured(subject))
        let id = messageID ?? MessageID.generate(domain: from.address.asciiDomain)
        header.append(name: "Message-ID", value: id.description)
        if !inReplyTo.isEmpty { header.append(name: "In-Reply-To", value: inReplyTo.map(\.description).joined(separator: " ")) }
        if !references.isEmpty { header.append(name: "References", value: references.map(\.description).joined(separator: " ")) }
        header.append(name: "MIME-Version", value: "1.0")
        for field in extraFields {
            header.append(name: field.name, value: HeaderFolding.unstructured(field.unfoldedValue))
        }
        return try header.bytes + body(boundaryBase: base)
    }

    /// Mailboxes joined by commas for an address field.
    static func list(_ mailboxes: [Mailbox]) throws(MessageError) -> String {
        var values: [String] = []
        for mailbox in mailboxes { values.append(try mailbox.headerValue()) }
        return values.joined(separator: ", ")
    }

    static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
    }

    /// The MIME headers and body: the part tree chosen by what the message holds.
    func body(boundaryBase: String) throws(MessageError) -> [UInt8] {
        let mixed = "=_\(boundaryBase)_m"
        let alternative = "=_\(boundaryBase)_a"
        let text = OutgoingMessage.textPart(textBody, subtype: "plain", boundaries: [mixed, alternative])
        var content = text
        if let htmlBody {
            let html = OutgoingMessage.textPart(htmlBody, subtype: "html", boundaries: [mixed, alternative])
            content = OutgoingMessage.multipart("alternative", boundary: alternative, parts: [text, html])
        }
        if !attachments.isEmpty {
            var parts = [content]
            for attachment in attachments { parts.append(try OutgoingMessage.attachmentPart(attachment)) }
            content = OutgoingMessage.multipart("mixed", boundary: mixed, parts: parts)
        }
        return content
    }

    /// A text part: 7bit when plain ASCII with short lines that cannot be mistaken for a
    /// boundary, else quoted-printable; line ends are CRLF either way.
    static func textPart(_ text: String, subtype: String, boundaries: [String]) -> [UInt8] {
        var normalized: [UInt8] = []
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0A, previous != 0x0D { normalized.append(0x0D) }
            if previous == 0x0D, byte != 0x0A { normalized.append(0x0A) }
            normalized.append(byte)
            previous = byte
        }
        if previous == 0x0D { normalized.append(0x0A) }
        if let last = normalized.last, last != 0x0A { normalized += [0x0D, 0x0A] }
        let plain = isPlainSevenBit(normalized, boundaries: boundaries.map { Array("--\($0)".utf8) })
        var part = Array("Content-Type: text/\(subtype); charset=utf-8\r\n".utf8)
        if plain {
            part += Array("Content-Transfer-Encoding: 7bit\r\n\r\n".utf8)
            part += normalized
        } else {
            part += Array("Content-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
            part += QuotedPrintable.encode(normalized)
            if part.last != 0x0A { part += [0x0D, 0x0A] }
        }
        return part
    }

    /// Whether CRLF text can go as 7bit: ASCII without controls (but tab), lines of at most 998
    /// octets (RFC 5322 §2.1.1), and no line that begins with one of the `delimiters` (RFC 2046
    /// §5.1.1: a delimiter counts only at the beginning of a line). One pass over the bytes; a
    /// generic subsequence search per boundary made this most of the cost of building a message.
    static func isPlainSevenBit(_ text: [UInt8], boundaries delimiters: [[UInt8]]) -> Bool {
        text.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x80, byte >= 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return false }
                if byte == 0x0A {
                    lineStart = index + 1
                } else if index - lineStart >= 998 {  // more than 998 octets before the LF
                    return false
                }
                if index == lineStart, byte == 0x2D {  // "-": a line that may be a delimiter
                    for delimiter in delimiters where bytes.count - index >= delimiter.count {
                        if bytes[index..<(index + delimiter.count)].elementsEqual(delimiter) { return false }
                    }
                }
            }
            return true
        }
    }

    /// A multipart of already encoded parts. Each part ends with CRLF and the delimiter
    /// brings its own CRLF (RFC 2046 §5.1.1), so a part's last line break survives parsing.
    static func multipart(_ subtype: String, boundary: String, parts: [[UInt8]]) -> [UInt8] {
        var output = Array("Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n\r\n".utf8)
        for (index, part) in parts.enumerated() {
            output += Array("\(index == 0 ? "" : "\r\n")--\(boundary)\r\n".utf8)
            output += part
            if output.last != 0x0A { output += [0x0D, 0x0A] }
        }
        output += Array("\r\n--\(boundary)--\r\n".utf8)
        return output
    }

    /// An attachment part: RFC 2231 file name, base64 body.
    static func attachmentPart(_ attachment: Attachment) throws(MessageError) -> [UInt8] {
        try HeaderFolding.checkInjection(attachment.filename, what: "an attachment file name")
        var type = attachment.contentType
        type.parameters["name"] = attachment.filename
        let disposition = ContentDisposition(
            kind: attachment.isInline ? "inline" : "attachment",
            parameters: MIMEParameters([("filename", attachment.filename)])
        )
        var output = Array("Content-Type: \(try type.headerValue())\r\n".utf8)
        output += Array("Content-Disposition: \(try disposition.headerValue())\r\n".utf8)
        output += Array("Content-Transfer-Encoding: base64\r\n\r\n".utf8)
        output += Base64.encodeBytes(attachment.data)
        return output
    }
}
