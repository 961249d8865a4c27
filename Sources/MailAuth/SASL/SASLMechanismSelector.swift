/// Picks the strongest SASL mechanism that the server offers, the credentials allow and the
/// connection's security permits.
///
/// Order for passwords, strongest first, and why:
/// 1. **SCRAM-SHA-256**, 2. **SCRAM-SHA-1**: the password never crosses the wire, the server
///    stores only a salted, iterated verifier, and the server proves it knows that verifier. A
///    recorded exchange still allows an offline guessing attack, slowed by the iterations.
/// 3. **CRAM-MD5**: the password never crosses the wire and a recorded response cannot be
///    replayed, but the server must keep the password in clear, the server is not
///    authenticated, and a recorded exchange allows fast offline guessing (one HMAC-MD5 per guess).
/// 4. **PLAIN**, 5. **LOGIN**: the password itself is sent; fine inside TLS, which is where
///    nearly all servers offer them. PLAIN beats LOGIN because it is standard and takes one round trip.
///
/// For OAuth 2.0 tokens: **OAUTHBEARER** (the standard, RFC 7628) before **XOAUTH2** (its
/// proprietary precursor). Both send the bearer token, which is as good as a password until it
/// expires, so they count as cleartext.
///
/// On an unencrypted connection, mechanisms that send a reusable secret are skipped unless
/// `allowInsecureCleartext` is set: a server that offers only PLAIN on port 110 without STLS
/// gets a clear error, never the password.
public struct SASLMechanismSelector: Sendable {
    /// Password mechanisms, strongest first.
    public static let passwordPreference: [SASLMechanismKind] = [.scramSHA256, .scramSHA1, .cramMD5, .plain, .login]
    /// Token mechanisms, preferred first.
    public static let tokenPreference: [SASLMechanismKind] = [.oauthBearer, .xoauth2]

    /// Whether the connection is encrypted (TLS, or after a successful STARTTLS/STLS).
    public var isConnectionSecure: Bool
    /// The dangerous option, named as such: allow a password or token in the clear over an
    /// unencrypted connection.
    public var allowInsecureCleartext: Bool

    /// A selector for a connection with the given security.
    public init(isConnectionSecure: Bool, allowInsecureCleartext: Bool = false) {
        self.isConnectionSecure = isConnectionSecure
        self.allowInsecureCleartext = allowInsecureCleartext
    }

    /// Whether a reusable secret may be sent as is: the connection is encrypted, or the caller
    /// explicitly allowed insecure cleartext. POP3's `USER`/`PASS` follows the same rule.
    public var permitsCleartext: Bool { isConnectionSecure || allowInsecureCleartext }

    /// The best mechanism among `serverMechanisms` (names as advertised, any case) for
    /// credentials of `credentialKind`.
    ///
    /// - Throws: `.noSuitableMechanism` when none of the offered mechanisms takes this kind of
    ///   credential; `.cleartextOnInsecureConnection` when only cleartext ones do and the
    ///   connection is not encrypted. The error's detail names what the server offered.
    public func choose(
        from serverMechanisms: [String], for credentialKind: Credentials.Kind
    ) throws(MailAuthError) -> SASLMechanismKind {
        let offered = Set(serverMechanisms.map { $0.uppercased() })
        let preference = credentialKind == .password ? Self.passwordPreference : Self.tokenPreference
        let candidates = preference.filter { offered.contains($0.rawValue) }
        let offeredList = serverMechanisms.isEmpty ? "none" : serverMechanisms.joined(separator: " ")
        let secretName = credentialKind == .password ? "password" : "OAuth 2.0 token"
        guard !candidates.isEmpty else {
            let wanted = preference.map(\.rawValue).joined(separator: ", ")
            throw MailAuthError(
                .noSuitableMechanism,
                detail: "the server offers \(offeredList); a \(secretName) needs one of \(wanted)")
        }
        guard let choice = candidates.first(where: { permitsCleartext || !$0.sendsReusableSecret }) else {
            let names = candidates.map(\.rawValue).joined(separator: ", ")
            throw MailAuthError(
                .cleartextOnInsecureConnection, mechanism: candidates[0].rawValue,
                detail: "the server offers only \(names) on an unencrypted connection, revealing the \(secretName)")
        }
        return choice
    }
}
