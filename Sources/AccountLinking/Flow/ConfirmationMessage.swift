import MailMessage

/// The words of the confirmation e-mail, which a host replaces with its own product name and text.
///
/// Each text may use the placeholders `{address}` (the address being linked), `{primary}` (the
/// mailbox it is linked to), `{product}` (``productName``) and `{expiry}` (how long the link and
/// code stay valid, such as "48 hours"). Paragraphs are separated by blank lines; the plain-text
/// part is wrapped at 72 characters, so no line of prose exceeds 78 (RFC 5322 §2.1.1).
public struct ConfirmationText: Sendable, Hashable {
    /// The product named in the message.
    public var productName: String
    /// The subject line.
    public var subject: String
    /// What happened and why the person gets this message, before the link.
    public var introduction: String
    /// The line before the short code.
    public var codeLead: String
    /// What to do when the person did not ask for this, after the code.
    public var closing: String

    /// The default English text, naming `productName`.
    public init(
        productName: String = "MailLink",
        subject: String = "Confirm that you own {address}",
        introduction: String = """
            Someone (probably you) asked {product} to link {address} to {primary}, so that its mail \
            is collected there and mail can be sent as {address}.

            To confirm that this address is yours, follow this link:
            """,
        codeLead: String = "Or type this code where you were asked for it:",
        closing: String = """
            The link and the code work once and for {expiry}.

            If you did not ask for this, ignore this message: nothing is collected and nothing is \
            sent as {address} unless the link is followed or the code typed.
            """
    ) {
        self.productName = productName
        self.subject = subject
        self.introduction = introduction
        self.codeLead = codeLead
        self.closing = closing
    }
}

/// Builds the confirmation e-mail: multipart/alternative with a plain-text and an HTML part, from
/// the primary mailbox to the address being linked, carrying the link and the short code.
public struct ConfirmationMessage: Sendable {
    /// The words.
    public var text: ConfirmationText
    /// The mailbox it comes from.
    public var primary: EmailAddress
    /// The address it goes to.
    public var address: EmailAddress
    /// The link to follow.
    public var link: String
    /// The code, as shown (`ABCD-EFGH`).
    public var code: String
    /// How long link and code stay valid.
    public var lifetime: Duration

    /// A message with these parts.
    public init(
        text: ConfirmationText, primary: EmailAddress, address: EmailAddress, link: String, code: String,
        lifetime: Duration
    ) {
        self.text = text
        self.primary = primary
        self.address = address
        self.link = link
        self.code = code
        self.lifetime = lifetime
    }

    /// The message, ready to send.
    public func message() -> OutgoingMessage {
        var message = OutgoingMessage(from: Mailbox(address: primary))
        message.from.displayName = text.productName  // checked when encoded: no control characters
        message.to = [Mailbox(address: address)]
        message.subject = fill(text.subject)
        message.textBody = plainText
        message.htmlBody = html
        // RFC 3834 §5: an automatic message, which auto-responders must not answer.
        message.extraFields = [HeaderField(name: "Auto-Submitted", value: "auto-generated")]
        return message
    }

    /// The plain-text part.
    public var plainText: String {
        var lines: [String] = []
        for paragraph in paragraphs(text.introduction) { lines += Self.wrap(paragraph) + [""] }
        lines += [link, ""]
        lines += Self.wrap(fill(text.codeLead)) + ["", "    " + code, ""]
        for paragraph in paragraphs(text.closing) { lines += Self.wrap(paragraph) + [""] }
        return lines.joined(separator: "\n")
    }

    /// The HTML part.
    public var html: String {
        let escapedLink = Self.escape(link)
        var body = paragraphs(text.introduction).map { "<p>\(Self.escape($0))</p>" }
        body.append("<p><a href=\"\(escapedLink)\">\(escapedLink)</a></p>")
        body.append("<p>\(Self.escape(fill(text.codeLead)))</p>")
        body.append("<p style=\"font-size:1.4em;letter-spacing:0.15em\"><code>\(Self.escape(code))</code></p>")
        body += paragraphs(text.closing).map { "<p>\(Self.escape($0))</p>" }
        return "<!DOCTYPE html>\n<html><body>\n" + body.joined(separator: "\n") + "\n</body></html>\n"
    }

    private var expiryText: String {
        let seconds = Int(lifetime.components.seconds)
        if seconds % 86400 == 0, seconds >= 86400 * 3 { return "\(seconds / 86400) days" }
        if seconds % 3600 == 0, seconds >= 3600 { return seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
        if seconds % 60 == 0, seconds >= 60 { return seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
        return "\(seconds) seconds"
    }

    private func fill(_ template: String) -> String {
        template.replacingAll("{address}", with: address.description)
            .replacingAll("{primary}", with: primary.description)
            .replacingAll("{product}", with: text.productName)
            .replacingAll("{expiry}", with: expiryText)
    }

    private func paragraphs(_ template: String) -> [String] {
        fill(template).split(separator: "\n\n").map {
            $0.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    /// Words of `paragraph` in lines of at most `width` characters (a longer word stands alone).
    static func wrap(_ paragraph: String, width: Int = 72) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in paragraph.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML (the web example's templates use it too).
    package static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
