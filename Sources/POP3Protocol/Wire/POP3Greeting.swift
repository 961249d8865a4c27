/// The server's greeting, the first line of a session (RFC 1939 §4).
///
/// ```
/// S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
/// ```
///
/// A greeting that carries a `<…@…>` timestamp tells that the server supports APOP (RFC 1939 §7).
public struct POP3Greeting: Sendable, Hashable {
    /// The greeting's text after `+OK`.
    public var text: String
    /// The APOP timestamp with its angle brackets, or nil when the server offers no APOP.
    public var apopTimestamp: String?

    /// A greeting from its text; the APOP timestamp is found in it.
    public init(text: String) {
        self.text = text
        self.apopTimestamp = Self.timestamp(in: text)
    }

    /// The last `<…>` group holding an `@` and no space, as RFC 1939 §7's msg-id syntax.
    static func timestamp(in text: String) -> String? {
        guard let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") else { return nil }
        let inside = text[text.index(after: open)..<close]
        guard inside.contains("@"), !inside.contains(where: { $0 == "<" || $0.isWhitespace }) else { return nil }
        return String(text[open...close])
    }
}
