import MailTransport

/// One provider's settings as read from a config-v1.1 document (the Thunderbird autoconfig
/// format), before placeholders are filled in for a particular address.
///
/// The same type and the same reader serve online files (autoconfig, ISPDB) and the bundled
/// table, so both are held to the same validation rules.
public struct ProviderConfiguration: Sendable, Hashable {
    /// A server section with its `<username>` template still containing placeholders.
    public struct ServerTemplate: Sendable, Hashable {
        /// The protocol.
        public var mailProtocol: DiscoveredServer.MailProtocol
        /// Host name, possibly with `%EMAILDOMAIN%`.
        public var hostname: String
        /// TCP port.
        public var port: Int
        /// The first supported `socketType`.
        public var security: Endpoint.Security
        /// `%EMAILADDRESS%`, `%EMAILLOCALPART%`, `%EMAILDOMAIN%` or a literal.
        public var username: String
        /// Usable authentication methods, provider order.
        public var authentication: [DiscoveredServer.Authentication]
        /// `pop3/checkInterval@minutes`, honoured as a minimum (Thunderbird ignores it).
        public var minimumPollInterval: Duration?
        /// `pop3/leaveMessagesOnServer`.
        public var leaveMessagesOnServer: Bool?
    }

    /// `emailProvider@id`.
    public var id: String
    /// `emailProvider/domain` values without `purpose="mx"`: the address domains served.
    public var domains: [String]
    /// `emailProvider/domain purpose="mx"` values: MX host domains that identify the provider.
    public var mxDomains: [String]
    /// `displayName`.
    public var displayName: String?
    /// Incoming servers (POP3, IMAP), provider order.
    public var incoming: [ServerTemplate]
    /// Outgoing servers (SMTP), provider order.
    public var outgoing: [ServerTemplate]
    /// Hints from `enable`, `documentation`, `oAuth2` and MailLink's own `hints` element.
    public var hints: ProviderHints

    /// The servers with placeholders filled in for `address`, ranked; plaintext servers dropped
    /// unless `allowPlaintext`.
    func servers(
        for address: NormalizedAddress, allowPlaintext: Bool
    ) -> (incoming: [DiscoveredServer], outgoing: [DiscoveredServer]) {
        func resolve(_ templates: [ServerTemplate]) -> [DiscoveredServer] {
            templates.compactMap { template in
                guard allowPlaintext || template.security != .insecurePlaintext else { return nil }
                let host = Self.fill(template.hostname, address).lowercased()
                guard !host.contains("%") else { return nil }
                return DiscoveredServer(
                    mailProtocol: template.mailProtocol, host: host, port: template.port, security: template.security,
                    username: Self.fill(template.username, address), authentication: template.authentication,
                    minimumPollInterval: template.minimumPollInterval,
                    leaveMessagesOnServer: template.leaveMessagesOnServer)
            }
        }
        return (DiscoveryResult.ranked(resolve(incoming)), DiscoveryResult.ranked(resolve(outgoing)))
    }

    /// Replaces the draft's placeholders (§"Placeholders").
    static func fill(_ template: String, _ address: NormalizedAddress) -> String {
        guard template.contains("%") else { return template }
        return template.replacingAll("%EMAILADDRESS%", with: address.address)
            .replacingAll("%EMAILLOCALPART%", with: address.localPart)
            .replacingAll("%EMAILDOMAIN%", with: address.domain)
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
