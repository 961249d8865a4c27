/// The condition a status response states (RFC 9051 §7.1).
///
/// ```
/// S: A1 OK LOGIN completed          ← .ok
/// S: A2 NO [NONEXISTENT] no such mailbox
/// S: * BYE server shutting down
/// ```
public enum IMAPStatus: String, Sendable, Hashable, CaseIterable {
    /// `OK`: success (tagged) or information (untagged).
    case ok = "OK"
    /// `NO`: the command failed (tagged) or a warning (untagged).
    case no = "NO"
    /// `BAD`: the command was not understood, or a protocol error.
    case bad = "BAD"
    /// `PREAUTH`: a greeting saying the session is already authenticated (RFC 9051 §7.1.4).
    case preauth = "PREAUTH"
    /// `BYE`: the server is closing the connection (RFC 9051 §7.1.5).
    case bye = "BYE"
}

/// The text of a status response: an optional bracketed code, then human-readable text
/// (RFC 9051 §7.1: `resp-text = ["[" resp-text-code "]" SP] text`).
public struct IMAPResponseText: Sendable, Hashable {
    /// The bracketed response code, if any.
    public var code: IMAPResponseCode?
    /// The text after the code, as sent (decoded as UTF-8, invalid bytes replaced).
    public var text: String

    /// A response text from its parts.
    public init(code: IMAPResponseCode? = nil, text: String) {
        self.code = code
        self.text = text
    }
}
