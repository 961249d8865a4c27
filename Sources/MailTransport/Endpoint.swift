/// Where a mail server listens and how the connection is secured.
///
/// ```swift
/// Endpoint(host: "pop.example.com", port: 995, security: .tls)       // implicit TLS (RFC 8314)
/// Endpoint(host: "pop.example.com", port: 110, security: .startTLS)  // STLS / STARTTLS upgrade
/// ```
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable, CaseIterable {
        /// TLS from the first byte (POP3 on 995, submission on 465; RFC 8314 prefers this).
        case tls
        /// A plaintext connection that the protocol client upgrades with STLS (RFC 2595) or
        /// STARTTLS (RFC 3207) before anything secret is sent. If the server does not offer the
        /// upgrade, the client fails; it never continues in plaintext.
        case startTLS
        /// No encryption at all. Passwords cross the network readable by anyone on the path; the
        /// protocol clients refuse cleartext authentication here unless explicitly allowed.
        case insecurePlaintext
    }

    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int
    /// How the connection is protected.
    public var security: Security

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// `host:port`, with brackets around IPv6 literals.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Parses `host:port`, `[v6]:port`; nil when malformed or the port is out of range.
    public init?(parsing text: String, security: Security) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        self.init(host: String(host), port: port, security: security)
    }
}
