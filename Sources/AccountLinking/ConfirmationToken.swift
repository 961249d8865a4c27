import Foundation
import MailAuth

/// The secret in a confirmation link: 32 random bytes, base64url without padding.
///
/// Only its SHA-256 digest is stored with the account, so a leaked account file does not let
/// anyone confirm an address they do not own. Comparison is constant-time.
public struct ConfirmationToken: Sendable, Hashable {
    /// The token text, as it appears in the link.
    public let value: String

    /// A new random token (from the system's cryptographic generator).
    public init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        value = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Wraps a token read from a link or typed by a person.
    public init(value: String) {
        self.value = value
    }

    /// Finds the token in a confirmation link (`…?token=VALUE`) or takes the text as the token.
    public init?(linkOrCode: String) {
        let text = linkOrCode.trimmingCharacters(in: .whitespacesAndNewlines)
        if let components = URLComponents(string: text), let token = components.queryItems?.first(where: { $0.name == "token" })?.value {
            self.init(value: token)
        } else if !text.isEmpty, !text.contains("/"), !text.contains("?") {
            self.init(value: text)
        } else {
            return nil
        }
    }

    /// SHA-256 of the token, lowercase hex: what is stored.
    public var digest: String {
        SHA256.hash(Array(value.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether this token matches a stored digest (constant-time).
    public func matches(digest stored: String) -> Bool {
        ConstantTime.equals(Array(digest.utf8), Array(stored.utf8))
    }

    /// The link to put in the e-mail: `base?token=VALUE`.
    public func link(base: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "token=" + value
    }
}
