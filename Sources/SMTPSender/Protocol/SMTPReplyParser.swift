/// Assembles ``SMTPReply`` values from reply lines, one line at a time, with a bound on the
/// number of lines (RFC 5321 §4.2, §4.5.3.1.5).
///
/// The line reader below bounds each line's length; this parser bounds how many lines one
/// reply may span, so a hostile server cannot grow a reply without end.
///
/// ```swift
/// var parser = SMTPReplyParser()
/// parser.parse(line: "250-mx.example.com")  // nil: more lines follow
/// parser.parse(line: "250 SIZE 1000")       // SMTPReply(code: 250, lines: ["mx.example.com", "SIZE 1000"])
/// ```
public struct SMTPReplyParser: Sendable {
    /// The most lines accepted in one reply. An EHLO reply has one line per extension, rarely
    /// more than 30; the bound leaves room while keeping memory small.
    public var maximumLineCount: Int

    private var code: Int?
    private var lines: [String] = []

    /// A parser accepting up to `maximumLineCount` lines per reply.
    public init(maximumLineCount: Int = 256) {
        self.maximumLineCount = maximumLineCount
    }

    /// Whether part of a multi-line reply has been read.
    public var isInsideReply: Bool { code != nil }

    /// Takes one line without its CRLF; returns the reply once its last line has arrived.
    ///
    /// - Throws: ``SMTPError/Code/malformedReply`` when the line does not start with a code in
    ///   200…599 followed by a space, a hyphen or the end of the line, or when a continuation
    ///   line changes the code; ``SMTPError/Code/replyTooLong`` past ``maximumLineCount``.
    public mutating func parse(line: [UInt8]) throws(SMTPError) -> SMTPReply? {
        guard line.count >= 3,
            let hundreds = Self.digit(line[0]), let tens = Self.digit(line[1]), let units = Self.digit(line[2]),
            (2...5).contains(hundreds), tens <= 5
        else {
            throw SMTPError(.malformedReply, detail: "a reply line must start with a code: \(Self.preview(line))")
        }
        let lineCode = hundreds * 100 + tens * 10 + units
        var isLast = true
        if line.count > 3 {
            switch line[3] {
            case UInt8(ascii: " "): isLast = true
            case UInt8(ascii: "-"): isLast = false
            default:
                throw SMTPError(
                    .malformedReply,
                    detail: "a reply code must be followed by a space or a hyphen: \(Self.preview(line))")
            }
        }
        if let code, code != lineCode {
            throw SMTPError(.malformedReply, detail: "a multi-line reply changed its code from \(code) to \(lineCode)")
        }
        guard lines.count < maximumLineCount else {
            throw SMTPError(.replyTooLong, detail: "a reply has more than \(maximumLineCount) lines")
        }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard isLast else { return nil }
        defer {
            code = nil
            lines = []
        }
        return Self.makeReply(code: lineCode, lines: lines)
    }

    /// Takes one line given as text (tests and tools).
    public mutating func parse(line: String) throws(SMTPError) -> SMTPReply? {
        try parse(line: Array(line.utf8))
    }

    /// Separates the enhanced status code from every line when the first line has one whose
    /// class matches the reply's (RFC 2034 §3: each line repeats it).
    private static func makeReply(code: Int, lines: [String]) -> SMTPReply {
        guard let first = lines.first else { return SMTPReply(code: code) }
        let token = first.prefix { $0 != " " }
        guard let status = EnhancedStatusCode(parsing: token), status.statusClass == code / 100 else {
            return SMTPReply(code: code, lines: lines)
        }
        let stripped = lines.map { line -> String in
            let lineToken = line.prefix { $0 != " " }
            guard EnhancedStatusCode(parsing: lineToken) != nil else { return line }
            return String(line.dropFirst(lineToken.count).drop { $0 == " " })
        }
        return SMTPReply(code: code, enhancedStatus: status, lines: stripped)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// The start of a bad line for an error message, printable and short.
    private static func preview(_ line: [UInt8]) -> String {
        String(decoding: line.prefix(40), as: UTF8.self).debugDescription
    }
}
