/// What a server says it can do, from `CAPA` (RFC 2449 §5, §6), plus `STLS` (RFC 2595 §4) and
/// `SASL` (RFC 5034 §3).
///
/// ```
/// C: CAPA
/// S: +OK
/// S: TOP
/// S: UIDL
/// S: SASL PLAIN SCRAM-SHA-256
/// S: PIPELINING
/// S: .
/// ```
///
/// Capabilities change with the session: after STLS and after login a client asks again.
public struct POP3Capabilities: Sendable, Hashable {
    /// The server's retention policy (RFC 2449 §6.7).
    public enum Expiry: Sendable, Hashable {
        /// Messages are never removed by the server.
        case never
        /// Messages may be removed this many days after retrieval (0: at the end of the session).
        case days(Int)
    }

    /// Whether the server answered CAPA at all (servers that implement only RFC 1939 do not).
    public var isKnown: Bool
    /// Every capability line, as sent: the tag (upper-cased) and its arguments.
    public var entries: [String: [String]]

    /// No known capabilities (before CAPA, or when the server does not support it).
    public static let unknown = POP3Capabilities(isKnown: false, entries: [:])

    /// Capabilities from their entries.
    public init(isKnown: Bool = true, entries: [String: [String]]) {
        self.isKnown = isKnown
        self.entries = entries
    }

    /// Parses the body of a CAPA response (lines with CRLF, without the terminating dot).
    public init(parsing block: [UInt8]) {
        var entries: [String: [String]] = [:]
        for line in block.split(separator: UInt8(ascii: "\n")) {
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let tag = words.first else { continue }
            entries[tag.uppercased()] = Array(words.dropFirst())
        }
        self.init(isKnown: true, entries: entries)
    }

    /// Whether the capability `tag` is listed.
    public func contains(_ tag: String) -> Bool { entries[tag.uppercased()] != nil }

    /// `TOP`: the TOP command works.
    public var top: Bool { contains("TOP") }
    /// `USER`: USER/PASS login works.
    public var user: Bool { contains("USER") }
    /// `UIDL`: the UIDL command works.
    public var uidl: Bool { contains("UIDL") }
    /// `STLS`: the connection can be upgraded to TLS (RFC 2595).
    public var stls: Bool { contains("STLS") }
    /// `PIPELINING`: commands may be sent without waiting for each answer (RFC 2449 §6.6).
    public var pipelining: Bool { contains("PIPELINING") }
    /// `RESP-CODES`: -ERR answers carry extended codes (RFC 2449 §6.4).
    public var responseCodes: Bool { contains("RESP-CODES") }
    /// `AUTH-RESP-CODE`: authentication failures carry `[AUTH]` when credentials are at fault (RFC 3206).
    public var authResponseCode: Bool { contains("AUTH-RESP-CODE") }
    /// The SASL mechanisms offered (`SASL PLAIN LOGIN`), upper-cased.
    public var saslMechanisms: [String] { (entries["SASL"] ?? []).map { $0.uppercased() } }
    /// The server's implementation text (`IMPLEMENTATION Dovecot`), for diagnostics.
    public var implementation: String? { entries["IMPLEMENTATION"].map { $0.joined(separator: " ") } }

    /// The minimum number of seconds between logins (`LOGIN-DELAY 900`, RFC 2449 §6.5).
    public var loginDelay: Int? { entries["LOGIN-DELAY"]?.first.flatMap { Int($0) } }

    /// The retention policy (`EXPIRE NEVER`, `EXPIRE 30`, RFC 2449 §6.7).
    public var expire: Expiry? {
        guard let value = entries["EXPIRE"]?.first else { return nil }
        if value.uppercased() == "NEVER" { return .never }
        return Int(value).map { .days($0) }
    }
}
