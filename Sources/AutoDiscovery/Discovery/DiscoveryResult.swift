import MailTransport

/// The settings discovery found for one address, best first, with their origin and trust.
///
/// Codable so that `linkmail discover --json` can print it as one object. Incoming servers
/// are ordered POP3 first, then IMAP (the linker chooses between them), then implicit TLS before STARTTLS
/// (RFC 8314 §5.1), keeping the provider's order otherwise.
public struct DiscoveryResult: Sendable, Hashable, Codable {
    /// The normalised address discovery ran for.
    public var address: NormalizedAddress
    /// The provider's identifier (usually its main domain), when known.
    public var providerID: String?
    /// The provider's display name, when known.
    public var displayName: String?
    /// Incoming servers, best first.
    public var incoming: [DiscoveredServer]
    /// Outgoing (submission) servers, best first.
    public var outgoing: [DiscoveredServer]
    /// Where the settings came from.
    public var source: DiscoverySource
    /// The URL, DNS name or table entry the settings were read from.
    public var origin: String
    /// Why the user must confirm these settings before a password is sent; empty when not needed.
    public var confirmationReasons: [String]
    /// The registrable domains of every host, to show the user in full (autoconfig draft
    /// §"User approval": show the second-level domains, never truncated).
    public var serverDomains: [String]
    /// What the user must know or do (app password, enabling POP, poll interval).
    public var hints: ProviderHints

    /// A result.
    public init(
        address: NormalizedAddress, providerID: String? = nil, displayName: String? = nil,
        incoming: [DiscoveredServer], outgoing: [DiscoveredServer], source: DiscoverySource, origin: String,
        confirmationReasons: [String] = [], serverDomains: [String] = [], hints: ProviderHints = .none
    ) {
        self.address = address
        self.providerID = providerID
        self.displayName = displayName
        self.incoming = incoming
        self.outgoing = outgoing
        self.source = source
        self.origin = origin
        self.confirmationReasons = confirmationReasons
        self.serverDomains = serverDomains
        self.hints = hints
    }

    /// How far the source can be trusted.
    public var trust: DiscoveryTrust { source.trust }
    /// Whether the user must confirm these settings before any password is sent.
    public var requiresConfirmation: Bool { !confirmationReasons.isEmpty }
    /// The best POP3 server, if any.
    public var pop3: DiscoveredServer? { incoming.first { $0.mailProtocol == .pop3 } }
    /// The best IMAP server, if any.
    public var imap: DiscoveredServer? { incoming.first { $0.mailProtocol == .imap } }
    /// The best submission server, if any.
    public var smtp: DiscoveredServer? { outgoing.first }
    /// The incoming server linking uses when the user names no protocol: the best IMAP server
    /// when one is offered (folders, read state, many devices; the only protocol iCloud offers),
    /// else the best POP3 server; nil when neither is.
    public var preferredIncoming: DiscoveredServer? { imap ?? pop3 }
}

extension DiscoveryResult {
    /// Sorts servers for presentation: POP3 before IMAP, implicit TLS before STARTTLS before
    /// plaintext, otherwise the source's order (a stable sort).
    static func ranked(_ servers: [DiscoveredServer]) -> [DiscoveredServer] {
        func protocolRank(_ server: DiscoveredServer) -> Int { server.mailProtocol == .imap ? 1 : 0 }
        func securityRank(_ server: DiscoveredServer) -> Int {
            switch server.security {
            case .tls: return 0
            case .startTLS: return 1
            case .insecurePlaintext: return 2
            }
        }
        return servers.enumerated().sorted { left, right in
            let l = (protocolRank(left.element), securityRank(left.element), left.offset)
            let r = (protocolRank(right.element), securityRank(right.element), right.offset)
            return l < r
        }.map(\.element)
    }

    /// Fills `confirmationReasons` and `serverDomains` from the source and the hosts.
    mutating func assessTrust(extraReasons: [String] = []) {
        var reasons = extraReasons
        switch source.trust {
        case .high: break
        case .dnsDerived: reasons.append("derived from unsigned DNS answers (\(source.rawValue))")
        case .insecureHTTP: reasons.append("fetched over plain HTTP")
        case .guessed: reasons.append("host names guessed and probed")
        }
        let hosts = (incoming + outgoing).map(\.host)
        var domains: [String] = []
        for host in hosts {
            let registrable = RegistrableDomain.of(host)
            if !domains.contains(registrable) { domains.append(registrable) }
        }
        serverDomains = domains
        // Curated data (bundled table, ISPDB) legitimately points elsewhere (googlemail.com →
        // gmail.com); anything else naming a host outside the address's domain is confirmed.
        if source != .bundled && source != .ispdb {
            let own = RegistrableDomain.of(address.domain)
            let foreign = domains.filter { $0 != own }
            if !foreign.isEmpty {
                reasons.append("servers outside \(own): \(foreign.joined(separator: ", "))")
            }
        }
        confirmationReasons = reasons
    }
}
