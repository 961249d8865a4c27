import MailTransport

/// What discovery may do, where it looks, and how long it may take.
///
/// The defaults: bundled table first; HTTPS autoconfig, the ISPDB, MX and
/// RFC 6186 SRV in a priority race; plain HTTP only on request; probing when nothing answered.
/// Maps onto `linkmail discover ADDRESS [--dns HOST:PORT] [--autoconfig-base URL] [--ispdb URL]
/// [--offline] [--probe]` (see ``init(dnsServer:autoconfigBase:ispdbBase:offline:probe:tlsPolicy:)``).
public struct DiscoveryConfiguration: Sendable {
    /// DNS lookups (MX, SRV, addresses of probed hosts).
    public var resolver: any DNSResolver
    /// HTTPS/HTTP fetches of config files.
    public var fetcher: any HTTPFetcher
    /// Server probes while guessing.
    public var probe: any ServerProbe
    /// The provider table consulted first and for MX matches.
    public var providerTable: ProviderTable

    /// Consult the network at all (false: bundled table only, like `--offline`).
    public var usesNetwork: Bool
    /// Probe guessed host names when no source answered.
    public var probesWhenNothingFound: Bool
    /// Also fetch `http://` autoconfig URLs (lowest priority; results need confirmation).
    public var allowsInsecureHTTP: Bool
    /// Offer servers without TLS (`socketType` plain); off by default (RFC 8314).
    public var allowsPlaintext: Bool
    /// Append `?emailaddress=` to provider autoconfig URLs (as Thunderbird does; `.` is not
    /// percent-encoded because some servers mangle it).
    public var sendsAddressToAutoconfig: Bool

    /// ISPDB base; the domain is appended (`https://autoconfig.thunderbird.net/v1.1/`).
    public var ispdbBase: String
    /// When set, replaces the origin of provider autoconfig URLs: `<base>/mail/config-v1.1.xml`
    /// and `<base>/.well-known/autoconfig/mail/config-v1.1.xml` instead of
    /// `https://autoconfig.<domain>/…` and `https://<domain>/.well-known/…` (for test benches
    /// and local mirrors). Also used for MX-derived autoconfig lookups.
    public var autoconfigBase: String?

    /// Per-request limit for provider autoconfig (Thunderbird: 5 s).
    public var autoconfigTimeout: Duration
    /// Per-request limit for the ISPDB (Thunderbird: 10 s).
    public var ispdbTimeout: Duration
    /// Limit for each DNS-based source (MX, SRV).
    public var dnsTimeout: Duration
    /// Guessing: the candidates.
    public var probePlan: ProbePlan
    /// Guessing: the most probes in flight at once (about 16).
    public var probeConcurrency: Int
    /// Guessing: the whole guess-and-probe step's budget. 20 s: longer than one probe's
    /// connect plus read limit (5 s + 5 s) with room for DNS, short enough that a user who
    /// gets nothing is sent to the manual form quickly (thunderbird-android#7563 complains
    /// about minutes of waiting).
    public var probeBudget: Duration
    /// The whole online part (race plus probing). 30 s: the slowest source's own limit (the
    /// ISPDB's 10 s) plus the probing budget, rounded; past that a person is better served by
    /// the manual form than by more waiting (thunderbird-android#7563). A bundled hit never waits.
    public var totalBudget: Duration

    /// The defaults (system DNS, verified HTTPS, the public ISPDB).
    public init(
        resolver: any DNSResolver = DNSClient(), fetcher: any HTTPFetcher = SocketHTTPFetcher(),
        probe: any ServerProbe = MailServerProbe(), providerTable: ProviderTable = .bundled
    ) {
        self.resolver = resolver
        self.fetcher = fetcher
        self.probe = probe
        self.providerTable = providerTable
        usesNetwork = true
        probesWhenNothingFound = true
        allowsInsecureHTTP = false
        allowsPlaintext = false
        sendsAddressToAutoconfig = true
        ispdbBase = "https://autoconfig.thunderbird.net/v1.1/"
        autoconfigBase = nil
        autoconfigTimeout = .seconds(5)
        ispdbTimeout = .seconds(10)
        dnsTimeout = .seconds(5)
        probePlan = .standard
        probeConcurrency = 16
        probeBudget = .seconds(20)
        totalBudget = .seconds(30)
    }

    /// The configuration `linkmail discover` builds from its options.
    /// - Parameters:
    ///   - dnsServer: `--dns HOST:PORT` (an IP address), else the system's resolvers.
    ///   - autoconfigBase: `--autoconfig-base URL`.
    ///   - ispdbBase: `--ispdb URL`.
    ///   - offline: `--offline`: bundled table only.
    ///   - probe: `--probe`: probe guessed hosts when nothing answered.
    ///   - tlsPolicy: trust for HTTPS and probes (`--ca FILE`, `--pin`).
    public init(
        dnsServer: String? = nil, autoconfigBase: String? = nil, ispdbBase: String? = nil, offline: Bool = false,
        probe: Bool = false, tlsPolicy: TLSPolicy = .default
    ) throws {
        var resolver = DNSClient()
        if let dnsServer {
            guard let server = DNSServerAddress(parsing: dnsServer) else {
                throw DiscoveryError(.invalidArgument, "--dns needs an IP address and optional port, not \(dnsServer)")
            }
            resolver = DNSClient(servers: [server])
        }
        // With --dns, config-file hosts are resolved through the same server as MX and SRV.
        let fetcher = SocketHTTPFetcher(tlsPolicy: tlsPolicy, resolver: dnsServer == nil ? nil : resolver)
        self.init(resolver: resolver, fetcher: fetcher, probe: MailServerProbe(tlsPolicy: tlsPolicy))
        self.autoconfigBase = autoconfigBase
        if let ispdbBase { self.ispdbBase = ispdbBase }
        usesNetwork = !offline
        probesWhenNothingFound = probe
    }
}
