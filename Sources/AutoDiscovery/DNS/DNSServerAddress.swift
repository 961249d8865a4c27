#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where DNS queries go: a server's IP address and port.
public struct DNSServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// IPv4 or IPv6 literal.
    public var host: String
    /// UDP and TCP port (53 by default).
    public var port: Int

    /// A server.
    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`; nil when not an IP literal with
    /// a valid port (a DNS server must be given by address: resolving its name needs DNS).
    public init?(parsing text: String) {
        var host = text.trimmingWhitespace()
        var port = 53
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { return nil }
                port = value
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = String(host[..<colon])
        }
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
        guard TLSLiteral.isIP(host), (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    /// `host:port` (brackets around IPv6).
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The `nameserver` lines of a resolv.conf text (resolv.conf(5)), in order.
    public static func parseResolvConf(_ text: String) -> [DNSServerAddress] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            return DNSServerAddress(parsing: String(fields[1]))
        }
    }

    /// The system's servers from `/etc/resolv.conf`, or `127.0.0.1:53` when none are listed
    /// (the resolver's own default, resolv.conf(5)).
    public static func system(path: String = "/etc/resolv.conf") -> [DNSServerAddress] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let servers = parseResolvConf(text)
        return servers.isEmpty ? [DNSServerAddress(host: "127.0.0.1")] : servers
    }
}
