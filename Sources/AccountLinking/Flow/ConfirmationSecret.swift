import MailAuth
import MailMessage

/// The two secrets of one confirmation e-mail: the token in its link and a short code a person
/// can type. Both are single use and expire together (``ConfirmationRecord``); only their digests
/// are stored, so a leaked account file lets nobody confirm an address they do not own.
///
/// - The token is 32 random bytes, base64url without padding (43 characters), as RFC 4648 §5
///   spells URL-safe base64: far beyond guessing, it needs no attempt limit.
/// - The code is ``codeLength`` characters from ``codeAlphabet``, an alphabet without look-alikes
///   (no `0`/`O`, `1`/`I`/`L`), shown as `ABCD-EFGH`. 31⁸ ≈ 8.5 × 10¹¹ values with at most
///   ``ConfirmationRecord/maximumCodeAttempts`` tries make a guess succeed with odds below 10⁻¹¹.
public struct ConfirmationSecret: Sendable, Hashable {
    /// Characters a code is made of: upper-case letters and digits that cannot be mistaken for
    /// one another when read from a screen or typed.
    public static let codeAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    /// Characters in a code.
    public static let codeLength = 8

    /// The token of the link.
    public let token: String
    /// The code, without its separator (`ABCDEFGH`).
    public let code: String

    /// New secrets from `random` (the system's cryptographic generator by default).
    public init(random: RandomBytesSource = .system) {
        token = Self.base64URL(random.bytes(32))
        var characters: [Character] = []
        // Rejection sampling keeps every character equally likely: 248 = 8 × 31.
        while characters.count < Self.codeLength {
            for byte in random.bytes(Self.codeLength) where byte < 248 && characters.count < Self.codeLength {
                characters.append(Self.codeAlphabet[Int(byte) % Self.codeAlphabet.count])
            }
        }
        code = String(characters)
    }

    /// The code as shown to people: two groups of four (`ABCD-EFGH`).
    public var displayCode: String { String(code.prefix(4)) + "-" + String(code.dropFirst(4)) }

    /// The link to put in the e-mail: `base?token=…` (or `&token=…` when `base` has a query).
    public func link(base: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "token=" + token
    }

    /// A typed code in its canonical form: separators and spaces removed, letters upper-cased;
    /// nil when it cannot be a code (wrong length or a character outside the alphabet).
    public static func normalizedCode(_ text: String) -> String? {
        let kept = text.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard kept.count == codeLength, kept.allSatisfy(codeAlphabet.contains) else { return nil }
        return kept
    }

    /// The token of a confirmation link (`…?token=VALUE` or `…&token=VALUE`); nil when there is none.
    public static func token(inLink text: String) -> String? {
        guard let query = text.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "token" {
                let value = String(parts[1].prefix { $0 != "#" })
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        String(
            Base64.encode(bytes).compactMap { character -> Character? in
                switch character {
                case "+": "-"
                case "/": "_"
                case "=": nil
                default: character
                }
            })
    }
}
