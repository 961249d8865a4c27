/// What a probe learned.
public enum ProbeOutcome: Sendable, Hashable {
    /// The server greeted correctly, TLS was verified (implicit or after the upgrade), and
    /// these capabilities were read after TLS (POP3 CAPA lines, SMTP EHLO keywords, upper case).
    case success(capabilities: [String])
    /// The probe failed; the error says why (certificate, refused, greeting, no STLS, …).
    case failure(DiscoveryError)
}

extension ProbeOutcome {
    /// Authentication methods implied by capabilities: SCRAM,
    /// CRAM-MD5 or APOP → `password-encrypted` first; PLAIN, LOGIN, USER → `password-cleartext`;
    /// XOAUTH2/OAUTHBEARER → `OAuth2`. GSSAPI and NTLM are never chosen automatically.
    static func authentication(from capabilities: [String]) -> [DiscoveredServer.Authentication] {
        let words = Set(capabilities.flatMap { $0.split(separator: " ").map(String.init) })
        var methods: [DiscoveredServer.Authentication] = []
        if words.contains("CRAM-MD5") || words.contains(where: { $0.hasPrefix("SCRAM-") }) {
            methods.append(.passwordEncrypted)
        }
        if words.contains("PLAIN") || words.contains("LOGIN") || words.contains("USER") {
            methods.append(.passwordCleartext)
        }
        if words.contains("XOAUTH2") || words.contains("OAUTHBEARER") { methods.append(.oauth2) }
        return methods.isEmpty ? [.passwordCleartext] : methods
    }
}
