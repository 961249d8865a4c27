import Foundation
import MailTransport

/// The default ``HTTPFetcher``: a minimal HTTP/1.1 GET client over the transport's
/// ``MailConnector``.
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
/// http; anything else is ``DiscoveryError/Code/httpRedirectRefused`` (reference §5.4: never
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

    /// Fetches `url` (see the type's documentation for the rules).
    public func fetch(_ url: String, timeout: Duration) async throws -> HTTPResponse {
        do {
            return try await withDeadline(timeout, what: url) {
                var current = try TargetURL(url)
                var redirects = 0
                while true {
                    let (status, headers, body) = try await get(current, timeout: timeout)
                    if [301, 302, 303, 307, 308].contains(status),
                        let location = headers.first(where: { $0.0 == "location" })?.1
                    {
                        redirects += 1
                        guard redirects <= maximumRedirects else {
                            throw DiscoveryError(
                                .httpRedirectRefused, "more than \(maximumRedirects) redirects from \(url)")
                        }
                        let next = try current.resolving(location)
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
                    guard (200...299).contains(status) else {
                        throw DiscoveryError(.httpFailure, "HTTP \(status) from \(current.text)")
                    }
                    let type =
                        (headers.first { $0.0 == "content-type" }?.1 ?? "")
                        .split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
                    guard HTTPResponse.isXML(type) else {
                        throw DiscoveryError(
                            .httpFailure,
                            "content type \(type.isEmpty ? "missing" : type) is not XML at \(current.text)")
                    }
                    return HTTPResponse(status: status, contentType: type, body: body, url: current.text)
                }
            }
        } catch let error as TransportError {
            throw DiscoveryError(
                error.code == .timedOut ? .timedOut : .network, "\(url): \(error.code): \(error.detail)")
        }
    }

    private func get(_ target: TargetURL, timeout: Duration) async throws -> (Int, [(String, String)], [UInt8]) {
        var hosts = [target.host]
        var policy = tlsPolicy
        if let resolver, !TLSLiteral.isIP(target.host), target.host != "localhost" {
            hosts = try await resolver.addresses(of: target.host)
            guard !hosts.isEmpty else { throw DiscoveryError(.network, "\(target.host) has no address") }
            policy.serverNameOverride = policy.serverNameOverride ?? target.host
        }
        var opened: (any MailConnection)?
        for (index, host) in hosts.enumerated() {
            let endpoint = Endpoint(host: host, port: target.port, security: target.isHTTPS ? .tls : .insecurePlaintext)
            do {
                opened = try await connector.connect(to: endpoint, tls: policy, timeouts: .all(timeout))
                break
            } catch let error as TransportError
                where index + 1 < hosts.count && [.connectionRefused, .unreachable, .timedOut].contains(error.code)
            {
                continue
            }
        }
        guard let connection = opened else { throw DiscoveryError(.network, "no address of \(target.host) answered") }
        defer { connection.close() }
        let hostHeader = target.host.contains(":") ? "[\(target.host)]" : target.host
        let defaultPort = target.isHTTPS ? 443 : 80
        let request =
            "GET \(target.pathAndQuery) HTTP/1.1\r\nHost: \(hostHeader)\(target.port == defaultPort ? "" : ":\(target.port)")\r\n"
            + "User-Agent: MailLink-AutoDiscovery\r\nAccept: text/xml, application/xml\r\nConnection: close\r\n\r\n"
        try await connection.send(Array(request.utf8))
        let parser = HTTPResponseParser(maximumBody: maximumBodySize)
        var buffer: [UInt8] = []
        while true {
            var received: [UInt8]?
            do {
                received = try await connection.receive(maximumCount: 16384)
            } catch let error as TransportError where error.code == .closedByPeer && !buffer.isEmpty {
                received = nil
            }
            guard let bytes = received else {
                guard case .complete(let status, let headers, let body) = try parser.parse(buffer, atEnd: true) else {
                    throw DiscoveryError(.httpFailure, "the response from \(target.host) ends early")
                }
                return (status, headers, body)
            }
            buffer += bytes
            guard buffer.count <= maximumBodySize + HTTPResponseParser.maximumHeaderBytes + 16 * 1024 else {
                throw DiscoveryError(.httpTooLarge, "the response from \(target.host) exceeds \(maximumBodySize) bytes")
            }
            if case .complete(let status, let headers, let body) = try parser.parse(buffer, atEnd: false) {
                return (status, headers, body)
            }
        }
    }
}
