import MailAuth

/// A PKCE pair (RFC 7636): a random code verifier kept by the client and its S256 challenge
/// sent in the authorization request.
///
/// The textual forms redact the verifier.
public struct PKCE: Sendable, Hashable, CustomStringConvertible {
    /// The code verifier: 43 characters of base64url (32 random bytes, RFC 7636 §4.1).
    public let verifier: String
    /// `BASE64URL(SHA256(ASCII(verifier)))` (RFC 7636 §4.2).
    public var challenge: String { Self.challenge(for: verifier) }
    /// Always `S256`; `plain` is never used (RFC 7636 §7.2).
    public var method: String { "S256" }

    /// A pair with a verifier from `random`.
    public init(random: RandomBytesSource = .system) {
        verifier = Base64URL.encode(random.bytes(32))
    }

    /// A pair for a given verifier (for tests against RFC 7636 Appendix B).
    public init(verifier: String) {
        self.verifier = verifier
    }

    /// The S256 challenge of `verifier`.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(Array(verifier.utf8)))
    }

    /// `PKCE(S256, verifier: <redacted>)`.
    public var description: String { "PKCE(S256, verifier: <redacted>)" }
}
