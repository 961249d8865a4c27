import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The default ``HTTPFetcher``: GET through the transport's ``MailTransport/HTTPClient``.
///
/// Why not URLSession: on Linux, trusting an extra CA (a company's, or the test bench's)
/// is not practical with FoundationNetworking, whereas the transport already has a
/// ``TLSPolicy`` with extra CA files, pins and typed certificate failures. Going through the
/// connector makes HTTPS verification identical to the mail connections and keeps every
/// socket on the same non-blocking Dispatch machinery.
///
/// Behaviour: `GET` with `Connection: close`, no cookies, no credentials ever; the response
/// must be 2xx and XML (see ``HTTPFetcher``); the body is capped at ``maximumBodySize``.
/// Redirects (301, 302, 303, 307, 308) are followed at most ``maximumRedirects`` times and only
/// when the new URL stays on the same registrable domain and does not downgrade https to
/// http; anything else is ``DiscoveryError/Code/httpRedirectRefused`` (never
/// let a redirect carry the lookup to a third party).
public struct SocketHTTPFetcher: HTTPFetcher {
    /// Opens the TCP/TLS connections.
    public var connector: any MailConnector
    /// How HTTPS servers are verified.
    public var tlsPolicy: TLSPolicy
    /// The largest body accepted. Real config files are under 20 KiB; 256 KiB leaves room.
    public var maximumBodySize: Int
    /// The most redirects followed.
    public var maximumRedirects: Int
    /// When set, host names are resolved through this resolver (e.g. the `--dns` server) and
    /// the connection goes to the address with the name still verified in TLS; when nil the
    /// connector resolves them with the system's resolver.
    public var resolver: (any DNSResolver)?

    /// A fetcher.
    public init(
        connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
        maximumBodySize: Int = 256 * 1024, maximumRedirects: Int = 3, resolver: (any DNSResolver)? = nil
    ) {
        self.connector = connector
        self.tlsPolicy = tlsPolicy
        self.maximumBodySize = maximumBodySize
        self.maximumRedirects = maximumRedirects
        self.resolver = resolver
    }

    /// The transport's client, configured from these properties.
    private var client: HTTPClient {
        var addresses: (@Sendable (String) async throws -> [String])?
        if let resolver {
            addresses = { host in try await resolver.addresses(of: host) }
        }
        return HTTPClient(
            connector: connector, tlsPolicy: tlsPolicy, maximumBodySize: maximumBodySize,
            userAgent: "MailLink-AutoDiscovery", addresses: addresses)
    }

    /// Fetches `url` (see the type's documentation for the rules).
    public func fetch(_ url: String, timeout: Duration) async throws -> HTTPResponse {
        do {
            return try await withDeadline(timeout, what: url) {
                var current = try HTTPURL(url)
                var redirects = 0
                while true {
                    let response = try await client.send(
                        .get(current.text, accept: "text/xml, application/xml"), timeout: timeout)
                    if [301, 302, 303, 307, 308].contains(response.status),
                        let location = response.headers.value(of: "location")
                    {
                        redirects += 1
                        guard redirects <= maximumRedirects else {
                            throw DiscoveryError(
                                .httpRedirectRefused, "more than \(maximumRedirects) redirects from \(url)")
                        }
                        let next: HTTPURL
                        do { next = try current.resolving(location) } catch {
                            throw DiscoveryError(.httpRedirectRefused, "unsupported redirect target")
                        }
                        guard RegistrableDomain.of(next.host) == RegistrableDomain.of(current.host) else {
                            throw DiscoveryError(
                                .httpRedirectRefused, "redirect from \(current.host) to another domain, \(next.host)")
                        }
                        guard !(current.isHTTPS && !next.isHTTPS) else {
                            throw DiscoveryError(.httpRedirectRefused, "redirect from https to http at \(next.host)")
                        }
                        current = next
                        continue
                    }
                    guard response.isSuccess else {
                        throw DiscoveryError(.httpFailure, "HTTP \(response.status) from \(current.text)")
                    }
                    guard HTTPResponse.isXML(response.contentType) else {
                        let type = response.contentType
                        throw DiscoveryError(
                            .httpFailure,
                            "content type \(type.isEmpty ? "missing" : type) is not XML at \(current.text)")
                    }
                    return response
                }
            }
        } catch let error as TransportError {
            let code: DiscoveryError.Code =
                switch error.code {
                case .timedOut: .timedOut
                case .responseTooLarge: .httpTooLarge
                case .httpMalformed, .invalidURL, .invalidRequest: .httpFailure
                default: .network
                }
            throw DiscoveryError(code, "\(url): \(error.code): \(error.detail)")
        }
    }
}
