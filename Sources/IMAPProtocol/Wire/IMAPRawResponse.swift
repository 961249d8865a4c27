/// One response as read from the wire, before parsing: its line pieces and the literals
/// between them (RFC 9051 §4.3: `{n}` CRLF, then n octets, then the line goes on).
///
/// ```
/// S: * 1 FETCH (UID 7 BODY[] {11}      ← lines[0], ends with the announcement
/// S: <11 octets>                       ← literals[0]
/// S: )                                 ← lines[1]
/// ```
///
/// Every line but the last ends with a literal announcement; `literals.count == lines.count - 1`.
/// The client reads the pieces with bounds on each (``IMAPLiteralAnnouncement``), so nothing here
/// is ever larger than the caller allowed.
public struct IMAPRawResponse: Sendable, Hashable {
    /// The line pieces, without their CRLF.
    public var lines: [[UInt8]]
    /// The literals, in memory or streamed.
    public var literals: [IMAPLiteralContent]

    /// A response of a single line.
    public init(line: [UInt8]) {
        self.init(lines: [line], literals: [])
    }

    /// A response from its pieces.
    public init(lines: [[UInt8]], literals: [IMAPLiteralContent]) {
        self.lines = lines
        self.literals = literals
    }

    /// The first line, as text for error messages: at most 200 characters, never a literal's
    /// content (so never a message body).
    public var summary: String {
        let first = lines.first ?? []
        return String(decoding: first.prefix(200), as: UTF8.self)
    }
}

/// The `{n}` that ends a line piece when a literal follows (RFC 9051 §4.3), and `~{n}` for
/// BINARY (RFC 3516).
public enum IMAPLiteralAnnouncement {
    /// The announced size when `line` ends with a literal announcement, nil when it does not.
    ///
    /// - Throws: `.malformedResponse` when the number has more than 19 digits or does not fit.
    public static func size(endingLine line: [UInt8]) throws(IMAPError) -> Int? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var index = line.count - 2
        var digits = 0
        while index >= 0, line[index] >= 0x30, line[index] <= 0x39 {
            index -= 1
            digits += 1
        }
        guard digits > 0, index >= 0 else { return nil }
        // `{n+}` and `{n-}` are for clients only (RFC 7888): not an announcement from a server.
        if line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") { return nil }
        guard line[index] == UInt8(ascii: "{") else { return nil }
        guard digits <= 19, let size = Int(String(decoding: line[(index + 1)..<(line.count - 1)], as: UTF8.self))
        else {
            throw IMAPError(.malformedResponse, detail: "a literal's announced size is out of range")
        }
        return size
    }

    /// Whether the literal announced at the end of `line` is a FETCH response's whole message
    /// (`BODY[]`, `BINARY[]` or `RFC822`), the one value worth streaming to a sink.
    public static func announcesMessageBody(_ line: [UInt8]) -> Bool {
        guard let open = line.lastIndex(where: { $0 == UInt8(ascii: "{") }) else { return false }
        var end = open
        if end > 0, line[end - 1] == UInt8(ascii: "~") { end -= 1 }
        guard end > 0, line[end - 1] == UInt8(ascii: " ") else { return false }
        let before = String(decoding: line[..<(end - 1)], as: UTF8.self).uppercased()
        return before.hasSuffix(" BODY[]") || before.hasSuffix("(BODY[]") || before.hasSuffix(" BINARY[]")
            || before.hasSuffix("(BINARY[]") || before.hasSuffix(" RFC822") || before.hasSuffix("(RFC822")
    }
}
