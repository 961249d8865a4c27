import Foundation

/// An http(s) URL split into what a GET needs.
struct TargetURL: Sendable {
    var isHTTPS: Bool
    var host: String
    var port: Int
    var pathAndQuery: String

    init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", var host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else { throw DiscoveryError(.httpFailure, "not an http(s) URL: \(text.prefix(200))") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        isHTTPS = scheme == "https"
        self.host = host.lowercased()
        port = components.port ?? (isHTTPS ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        pathAndQuery = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        guard !pathAndQuery.contains(where: { $0 == "\r" || $0 == "\n" || $0 == " " }) else {
            throw DiscoveryError(.httpFailure, "URL with control characters")
        }
    }

    /// The URL as text.
    var text: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(isHTTPS ? "https" : "http")://\(hostText):\(port)\(pathAndQuery)"
    }

    /// A `Location` header resolved against this URL.
    func resolving(_ location: String) throws -> TargetURL {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return try TargetURL(location) }
        guard location.hasPrefix("/") else { throw DiscoveryError(.httpRedirectRefused, "unsupported redirect target") }
        var next = self
        next.pathAndQuery = location
        return next
    }
}
