/// Where a result came from, and how far it can be trusted.
///
/// The trust rules follow the autoconfig draft §"Security" and RFC 6186 §6: configurations
/// from the bundled table or from HTTPS on the address's own domain (or the ISPDB) are
/// trusted; anything derived from plain DNS (MX, SRV), plain HTTP, or guessing can be forged
/// on the path and must be confirmed by the user, as must any host outside the address's domain.
public enum DiscoverySource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The table shipped inside MailLink.
    case bundled
    /// `https://autoconfig.<domain>/mail/config-v1.1.xml`.
    case autoconfigHTTPS
    /// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
    case wellKnownHTTPS
    /// The ISPDB (Thunderbird's database, `https://autoconfig.thunderbird.net/v1.1/<domain>`).
    case ispdb
    /// The domain's MX host matched a known provider (bundled table, its autoconfig, or the ISPDB).
    case mx
    /// RFC 6186 SRV records.
    case srv
    /// `http://` autoconfig (only when the caller opted in).
    case autoconfigHTTP
    /// Guessed host names confirmed by probing the servers.
    case probe

    /// How much a source can be trusted.
    public var trust: DiscoveryTrust {
        switch self {
        case .bundled, .autoconfigHTTPS, .wellKnownHTTPS, .ispdb: return .high
        case .mx, .srv: return .dnsDerived
        case .autoconfigHTTP: return .insecureHTTP
        case .probe: return .guessed
        }
    }
}
