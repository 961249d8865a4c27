/// One POP3 response line: a status indicator, an optional extended code and the server's text
/// (RFC 1939 §3, RFC 2449 §8, RFC 5034 §4 for continuations).
///
/// ```
/// S: +OK 2 320
/// S: -ERR [AUTH] invalid user or password
/// S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+
/// ```
///
/// The text is kept as the server sent it (decoded leniently as UTF-8), so that a provider's
/// words ("web login required", "not enabled for POP access") reach the person who must act.
public struct POP3Response: Sendable, Hashable, CustomStringConvertible {
    /// The status indicator.
    public enum Status: Sendable, Hashable {
        /// `+OK`: the command succeeded.
        case ok
        /// `-ERR`: the command failed.
        case error
        /// `+ `: a SASL challenge during `AUTH` (RFC 5034 §4).
        case continuation
    }

    /// The status indicator.
    public var status: Status
    /// The extended response code, when the text began with one (`[IN-USE]`).
    public var code: POP3ResponseCode?
    /// The rest of the line after the status (and the code), without leading spaces.
    public var text: String
    /// ``text`` byte for byte as sent (``text`` decodes it leniently as UTF-8), for answers whose
    /// bytes matter, such as a unique id in `UIDL n`'s answer.
    public var textBytes: [UInt8]

    /// A response from its parts.
    public init(status: Status, code: POP3ResponseCode? = nil, text: String = "") {
        self.status = status
        self.code = code
        self.text = text
        self.textBytes = Array(text.utf8)
    }

    /// Parses one response line (without its CRLF).
    /// - Throws: ``POP3Error/Code/malformedResponse`` when the line starts with neither `+OK`,
    ///   `-ERR` nor `+`.
    public init(parsing line: [UInt8]) throws(POP3Error) {
        let rest: ArraySlice<UInt8>
        if Self.hasPrefix(line, "+OK") {
            status = .ok
            rest = line[3...]
        } else if Self.hasPrefix(line, "-ERR") {
            status = .error
            rest = line[4...]
        } else if line.first == UInt8(ascii: "+"), line.count == 1 || line[1] == UInt8(ascii: " ") {
            status = .continuation
            rest = line[1...]
        } else {
            throw POP3Error(
                .malformedResponse, detail: "a response line must start with +OK or -ERR",
                serverText: Self.lenientText(line.prefix(120)))
        }
        if let first = rest.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") {
            throw POP3Error(
                .malformedResponse, detail: "no space after the status indicator",
                serverText: Self.lenientText(line.prefix(120)))
        }
        var body = rest.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        code = nil
        if status != .continuation, body.first == UInt8(ascii: "["),
            let close = body.firstIndex(of: UInt8(ascii: "]")), close > body.startIndex + 1
        {
            let codeBytes = body[body.index(after: body.startIndex)..<close]
            if !codeBytes.contains(UInt8(ascii: " ")) {
                code = POP3ResponseCode(String(decoding: codeBytes, as: UTF8.self))
                body = body[body.index(after: close)...].drop { $0 == UInt8(ascii: " ") }
            }
        }
        text = Self.lenientText(body)
        textBytes = Array(body)
    }

    /// Whether the status is `+OK`.
    public var isOK: Bool { status == .ok }

    /// The line as the server sent it, normalised (`-ERR [IN-USE] locked`).
    public var description: String {
        let indicator =
            switch status {
            case .ok: "+OK"
            case .error: "-ERR"
            case .continuation: "+"
            }
        var result = indicator
        if let code { result += " [\(code.rawValue)]" }
        if !text.isEmpty { result += " " + text }
        return result
    }

    static func lenientText(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private static func hasPrefix(_ line: [UInt8], _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard line.count >= count else { return false }
        return prefix.withUTF8Buffer { pointer in
            for index in 0..<count where line[index] != pointer[index] { return false }
            return true
        }
    }
}
