#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An absolute `http` or `https` URL split into what a request needs (RFC 9110 §4.2).
///
/// User information in the URL is refused (RFC 9110 §4.2.4 deprecates it, and it would put a
/// secret into logs), as are control characters and spaces in the path.
package struct HTTPURL: Sendable, Hashable {
    /// Whether the scheme is `https`.
    package var isHTTPS: Bool
    /// The host, lower case, IPv6 literals without brackets.
    package var host: String
    /// The port, the scheme's default when the URL names none.
    package var port: Int
    /// The percent-encoded path and query, at least `/`.
    package var pathAndQuery: String

    /// Parses `text`; throws ``TransportError/Code/invalidURL``.
    package init(_ text: String) throws(TransportError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", var host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else {
            // The text is not repeated: a URL with user information carries a password.
            throw TransportError(.invalidURL, "not an absolute http(s) URL without user information")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        isHTTPS = scheme == "https"
        self.host = host.lowercased()
        port = components.port ?? (isHTTPS ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        pathAndQuery = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        guard !Self.hasControlOrSpace(pathAndQuery) else {
            throw TransportError(.invalidURL, "URL with control characters")
        }
    }

    /// The URL as text, with the port always written out.
    package var text: String {
        "\(isHTTPS ? "https" : "http")://\(hostAndPort)\(pathAndQuery)"
    }

    /// The `Host` header value (RFC 9110 §7.2): the port only when it is not the default.
    package var hostHeader: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return port == (isHTTPS ? 443 : 80) ? hostText : "\(hostText):\(port)"
    }

    private var hostAndPort: String {
        "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// A `Location` header resolved against this URL: absolute URLs and absolute paths only.
    package func resolving(_ location: String) throws(TransportError) -> HTTPURL {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return try HTTPURL(location) }
        guard location.hasPrefix("/"), !location.hasPrefix("//"),
            !Self.hasControlOrSpace(location)
        else { throw TransportError(.invalidURL, "unsupported redirect target") }
        var next = self
        next.pathAndQuery = location
        return next
    }

    /// Whether `text` has a byte no request target may carry raw: controls and spaces (RFC 9112 §3.2).
    private static func hasControlOrSpace(_ text: String) -> Bool {
        text.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
    }
}
