import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What is stored about a confirmation e-mail that was sent: digests of its link token and code,
/// when it was issued and expires, and how many wrong codes were typed.
///
/// Pure: every check takes the current time, so tests run on any clock. Both secrets are single
/// use (the account stops waiting once confirmed, and the record is removed), both expire at
/// ``expiresAt``, and after ``maximumCodeAttempts`` wrong codes the code stops working (the link
/// still works until it expires) until a new confirmation is sent, which replaces the record and
/// so makes every earlier link and code invalid. Comparison is constant-time.
///
/// Stored as `{"linkDigest": hex, "codeDigest": hex, "codeSalt": hex, "issuedAt": ISO 8601,
/// "expiresAt": ISO 8601, "failedCodeAttempts": 0}`.
public struct ConfirmationRecord: Sendable, Hashable, Codable {
    /// Wrong codes allowed before the code is locked.
    public static let maximumCodeAttempts = 5
    /// How long a confirmation stays valid unless the host says otherwise.
    public static let defaultLifetime: Duration = .seconds(48 * 3600)

    /// SHA-256 (hex) of the link token.
    public var linkDigest: String
    /// SHA-256 (hex) of ``codeSalt`` followed by the code: salted, since a code is short.
    public var codeDigest: String
    /// Random salt (hex) of ``codeDigest``.
    public var codeSalt: String
    /// When the e-mail was made.
    public var issuedAt: Date
    /// When its link and code stop working.
    public var expiresAt: Date
    /// Wrong codes typed so far.
    public var failedCodeAttempts: Int

    /// The outcome of one check.
    public enum Verdict: Sendable, Hashable {
        /// The secret matches and is still valid.
        case accepted
        /// The secret matches, but its time is over.
        case expired
        /// The secret does not match; `remainingAttempts` codes may still be tried (nil for links).
        case rejected(remainingAttempts: Int?)
        /// Too many wrong codes: the code no longer works; only a new confirmation helps.
        case locked
    }

    /// The record of `secret`, issued at `now`, valid for `lifetime`.
    public init(
        secret: ConfirmationSecret, issuedAt now: Date, lifetime: Duration = defaultLifetime,
        random: RandomBytesSource = .system
    ) {
        let salt = HexEncoding.encode(random.bytes(16))
        linkDigest = Self.digest(secret.token)
        codeSalt = salt
        codeDigest = Self.digest(salt + secret.code)
        issuedAt = now
        expiresAt = now.addingTimeInterval(Double(lifetime.components.seconds))
        failedCodeAttempts = 0
    }

    /// Whether `now` is past the expiry.
    public func isExpired(at now: Date) -> Bool { now >= expiresAt }

    /// Whether the code is locked after too many wrong attempts.
    public var isCodeLocked: Bool { failedCodeAttempts >= Self.maximumCodeAttempts }

    /// Whether `token` is this record's link token (constant-time; ignores expiry).
    public func matches(token: String) -> Bool {
        ConstantTime.equals(Array(Self.digest(token).utf8), Array(linkDigest.utf8))
    }

    /// Whether `code` (in ``ConfirmationSecret/normalizedCode(_:)`` form) is this record's code
    /// (constant-time; ignores expiry and the attempt limit, counts nothing).
    public func matches(code: String) -> Bool {
        ConstantTime.equals(Array(Self.digest(codeSalt + code).utf8), Array(codeDigest.utf8))
    }

    /// Checks a followed link's token.
    public func check(token: String, at now: Date) -> Verdict {
        guard matches(token: token) else { return .rejected(remainingAttempts: nil) }
        return isExpired(at: now) ? .expired : .accepted
    }

    /// Checks a typed code (in ``ConfirmationSecret/normalizedCode(_:)`` form), counting a wrong one.
    public mutating func check(code: String, at now: Date) -> Verdict {
        if isCodeLocked { return .locked }
        guard matches(code: code) else {
            failedCodeAttempts += 1
            return isCodeLocked ? .locked : .rejected(remainingAttempts: Self.maximumCodeAttempts - failedCodeAttempts)
        }
        return isExpired(at: now) ? .expired : .accepted
    }

    static func digest(_ text: String) -> String { HexEncoding.encode(SHA256.hash(Array(text.utf8))) }
}
