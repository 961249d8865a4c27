/// One SMTP reply: a three-digit code, an optional enhanced status code and the text lines
/// (RFC 5321 §4.2).
///
/// A multi-line reply repeats the code on every line, with `-` after it on all but the last:
///
/// ```
/// S: 250-smtp.example.com at your service
/// S: 250-PIPELINING
/// S: 250 8BITMIME
/// ```
///
/// Parse lines with ``SMTPReplyParser``, which bounds how many lines one reply may have.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// What the first digit of a reply code says (RFC 5321 §4.2.1).
    public enum Severity: Int, Sendable, Hashable {
        /// 2yz: the command succeeded.
        case positiveCompletion = 2
        /// 3yz: go on (354 after DATA, 334 during AUTH).
        case positiveIntermediate = 3
        /// 4yz: failed this time; the same command may work later.
        case transientNegative = 4
        /// 5yz: failed; repeating the same command will fail again.
        case permanentNegative = 5
    }

    /// The three-digit reply code, 200…599.
    public var code: Int
    /// The RFC 3463 code from the start of the first line's text, when the server sent one.
    public var enhancedStatus: EnhancedStatusCode?
    /// The text of each line after the code and separator, with the enhanced status code removed.
    public var lines: [String]

    /// A reply; `lines` should not be empty (a reply has at least one line, possibly with no text).
    public init(code: Int, enhancedStatus: EnhancedStatusCode? = nil, lines: [String] = [""]) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// The severity from the first digit; codes outside 2xx–5xx never get parsed.
    public var severity: Severity { Severity(rawValue: code / 100) ?? .permanentNegative }

    /// Whether the code is 2xx.
    public var isPositiveCompletion: Bool { severity == .positiveCompletion }
    /// Whether the code is 4xx.
    public var isTransientFailure: Bool { severity == .transientNegative }
    /// Whether the code is 5xx.
    public var isPermanentFailure: Bool { severity == .permanentNegative }

    /// All lines joined with a space: the server's own words, for errors and logs.
    public var text: String { lines.joined(separator: " ") }

    /// `535 5.7.8 Authentication credentials invalid`, as the last line would read on the wire.
    public var description: String {
        var result = String(code)
        if let enhancedStatus { result += " \(enhancedStatus)" }
        let words = text
        if !words.isEmpty { result += " " + words }
        return result
    }
}
