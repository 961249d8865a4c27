extension MIMEPart {
    /// The body with its transfer encoding undone.
    public var decodedBody: [UInt8] { transferEncoding.decode(body) }

    /// For a `text/*` part, the decoded body as text in its declared charset (unknown charsets
    /// read as UTF-8 when valid, else Windows-1252); `nil` for other types.
    public var text: String? {
        guard contentType.isText else { return nil }
        return Charset.decode(decodedBody, charsetName: contentType.charset)
    }

    /// The file name: `Content-Disposition` `filename`, else `Content-Type` `name`.
    public var filename: String? {
        contentDisposition?.filename ?? contentType.name
    }

    /// Whether the part is an attachment: disposition `attachment`, or a leaf that is not
    /// text and has a file name.
    public var isAttachment: Bool {
        if let contentDisposition, contentDisposition.isAttachment { return true }
        return parts.isEmpty && !contentType.isMultipart && !contentType.isText && filename != nil
    }

    /// This part and every part below it, depth first.
    public var allParts: [MIMEPart] {
        var result: [MIMEPart] = []
        var stack: [MIMEPart] = [self]
        while let part = stack.popLast() {
            result.append(part)
            stack.append(contentsOf: part.parts.reversed())
        }
        return result
    }

    /// Parts with no sub-parts, depth first.
    public var leaves: [MIMEPart] { allParts.filter { $0.parts.isEmpty && !$0.contentType.isMultipart } }

    /// The text of the first `text/plain` leaf that is not an attachment, outside any
    /// encapsulated message.
    public var textBody: String? { firstText(subtype: "plain") }

    /// The text of the first `text/html` leaf that is not an attachment, outside any
    /// encapsulated message.
    public var htmlBody: String? { firstText(subtype: "html") }

    /// Leaves that are attachments.
    public var attachments: [MIMEPart] { allParts.filter { $0.parts.isEmpty && $0.isAttachment } }

    func firstText(subtype: String) -> String? {
        var stack: [MIMEPart] = [self]
        while let part = stack.popLast() {
            if part.contentType.isMultipart {
                stack.append(contentsOf: part.parts.reversed())
            } else if part.contentType.isText, part.contentType.subtype == subtype, !part.isAttachment {
                return part.text
            }
        }
        return nil
    }
}
