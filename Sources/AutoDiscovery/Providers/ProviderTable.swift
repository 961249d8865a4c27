import Synchronization

/// Provider configurations indexed by address domain and by MX domain.
///
/// The bundled table (``ProviderTable/bundled``) is parsed once, at first use, from
/// ``BundledProviders/xml`` with the same ``AutoconfigReader`` as online files; lookups after
/// that are dictionary reads, so a bundled hit costs microseconds.
public struct ProviderTable: Sendable {
    /// Every provider, table order.
    public let providers: [ProviderConfiguration]
    private let byDomain: [String: Int]
    private let byMXDomain: [String: Int]

    /// A table over `providers`; the first provider naming a domain wins.
    public init(providers: [ProviderConfiguration]) {
        self.providers = providers
        var byDomain: [String: Int] = [:]
        var byMXDomain: [String: Int] = [:]
        for (index, provider) in providers.enumerated() {
            for domain in provider.domains where byDomain[domain] == nil { byDomain[domain] = index }
            for domain in provider.mxDomains where byMXDomain[domain] == nil { byMXDomain[domain] = index }
        }
        self.byDomain = byDomain
        self.byMXDomain = byMXDomain
    }

    /// Parses a `<providers>` document holding `clientConfig` elements; sections that fail the
    /// reader's rules are skipped, as in any online file.
    public init(xml: String) throws {
        let root = try XMLReader(limits: .init(maximumBytes: 4 << 20)).parse(Array(xml.utf8))
        let reader = AutoconfigReader()
        let configs = root.name == "clientConfig" ? [root] : root.children(named: "clientConfig")
        self.init(providers: configs.compactMap { try? reader.read($0) })
    }

    /// The provider serving address domain `domain` (exact match).
    public func provider(forDomain domain: String) -> ProviderConfiguration? {
        byDomain[domain.lowercased()].map { providers[$0] }
    }

    /// The provider whose MX domains (or address domains) include `domain` exactly.
    public func provider(forMXDomain domain: String) -> ProviderConfiguration? {
        let key = domain.lowercased()
        return (byMXDomain[key] ?? byDomain[key]).map { providers[$0] }
    }

    private static let cache = Mutex<ProviderTable?>(nil)

    /// The table shipped with MailLink, parsed on first use.
    public static var bundled: ProviderTable {
        cache.withLock { table in
            if let table { return table }
            // The literal is checked by the tests; a failure here would leave an empty table,
            // which makes discovery go online rather than crash.
            let parsed = (try? ProviderTable(xml: BundledProviders.xml)) ?? ProviderTable(providers: [])
            table = parsed
            return parsed
        }
    }
}
