import MailAuth

/// The accounts a fake server knows, and the server mechanisms built from them.
///
/// ```swift
/// let accounts = SASLServerAccounts(passwords: ["tim": "tanstaaf"], tokens: ["tim@example.com": "ya29.token"])
/// var mechanism = accounts.makeMechanism(named: "SCRAM-SHA-256")
/// ```
public struct SASLServerAccounts: Sendable {
    /// User name → password, for PLAIN, LOGIN, CRAM-MD5 and SCRAM.
    public var passwords: [String: String]
    /// User name → the one OAuth 2.0 access token the fake accepts, for OAUTHBEARER and XOAUTH2.
    public var tokens: [String: String]
    /// Decides tokens the `tokens` table does not hold (for example those a
    /// ``FakeAuthorizationServer`` issued): XOAUTH2 and OAUTHBEARER accept a token when it returns
    /// the user it signs in.
    public var tokenValidator: SASLTokenValidator?
    /// The SCRAM iteration count the fake asks for; RFC 7677 §4 recommends at least 4096.
    public var scramIterations = 4096

    /// Accounts with the given passwords and tokens.
    public init(
        passwords: [String: String] = [:], tokens: [String: String] = [:], tokenValidator: SASLTokenValidator? = nil
    ) {
        self.passwords = passwords
        self.tokens = tokens
        self.tokenValidator = tokenValidator
    }

    /// The mechanism names the fakes implement, for `CAPA SASL` or `EHLO AUTH` lines.
    public static let supportedMechanismNames = [
        "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "OAUTHBEARER", "XOAUTH2",
    ]

    /// A fresh server mechanism for the name the client sent (any case), or `nil` if unsupported.
    public func makeMechanism(named name: String) -> (any SASLServerMechanism)? {
        let passwords = self.passwords
        let lookup: @Sendable (String) -> String? = { passwords[$0] }
        switch name.uppercased() {
        case "PLAIN": return PlainServerMechanism(password: lookup)
        case "LOGIN": return LoginServerMechanism(password: lookup)
        case "CRAM-MD5": return CRAMMD5ServerMechanism(password: lookup)
        case "SCRAM-SHA-1": return SCRAMServerMechanism(variant: .sha1, iterations: scramIterations, password: lookup)
        case "SCRAM-SHA-256":
            return SCRAMServerMechanism(variant: .sha256, iterations: scramIterations, password: lookup)
        case "OAUTHBEARER": return OAuthBearerServerMechanism(validator: tokenValidation)
        case "XOAUTH2": return XOAUTH2ServerMechanism(validator: tokenValidation)
        default: return nil
        }
    }

    /// The table first, then ``tokenValidator``.
    var tokenValidation: SASLTokenValidator {
        let tokens = self.tokens
        let validator = tokenValidator
        return { user, token in
            let presented = Array(token.utf8)
            if let user, let expected = tokens[user], ConstantTime.equals(presented, Array(expected.utf8)) {
                return user
            }
            if user == nil, let match = tokens.first(where: { ConstantTime.equals(Array($0.value.utf8), presented) }) {
                return match.key
            }
            return validator?(user, token)
        }
    }
}

/// Decides an OAuth 2.0 access token presented by XOAUTH2 or OAUTHBEARER: given the user name
/// the client claims (nil when OAUTHBEARER names none) and the token, returns the user signed in,
/// or nil to refuse.
public typealias SASLTokenValidator = @Sendable (_ user: String?, _ token: String) -> String?
