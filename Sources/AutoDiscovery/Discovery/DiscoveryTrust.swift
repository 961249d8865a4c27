/// How trustworthy a result is.
public enum DiscoveryTrust: String, Sendable, Hashable, Codable, CaseIterable {
    /// Bundled data or HTTPS with a verified certificate on the address's domain.
    case high
    /// Derived from unsigned DNS answers (MX, SRV): a forged answer is possible.
    case dnsDerived
    /// Fetched over plain HTTP: anyone on the path could have changed it.
    case insecureHTTP
    /// Host names guessed and confirmed by connecting to them.
    case guessed
}
