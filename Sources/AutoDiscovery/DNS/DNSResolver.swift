/// The DNS seam: look up records of one type for one name.
///
/// Contract: returns the answer records of the asked type (CNAME chains already followed by the
/// server), an empty array when the name exists without such records, throws
/// ``DiscoveryError/Code/dnsNoRecords`` for a name that does not exist (NXDOMAIN),
/// ``DiscoveryError/Code/dnsTimedOut`` when no server answered, and honours task cancellation.
/// The default is ``DNSClient``; tests use a fake returning canned records.
public protocol DNSResolver: Sendable {
    /// The records of `type` for `name` (ASCII, without a trailing dot).
    func query(_ name: String, type: DNSRecordType) async throws -> [DNSRecord]
}

extension DNSResolver {
    /// MX exchanges sorted by ascending preference (RFC 5321 §5.1), ties in answer order.
    /// A null MX (RFC 7505: preference 0, exchange `.`) yields no hosts.
    public func mailExchangers(for domain: String) async throws -> [String] {
        let records = try await query(domain, type: .mx)
        let exchanges = records.compactMap { record -> (UInt16, String)? in
            guard case .mx(let preference, let exchange) = record.data, !exchange.isEmpty else { return nil }
            return (preference, exchange)
        }
        return exchanges.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    }

    /// SRV records for `service` (e.g. `_pop3s._tcp.example.com`), sorted by priority, then by
    /// weight descending (a deterministic stand-in for RFC 2782's weighted random choice).
    /// Records with target `.` are returned, so callers can tell "not offered" from "not published".
    public func services(
        _ service: String
    ) async throws -> [(priority: UInt16, weight: UInt16, port: UInt16, target: String)] {
        let records = try await query(service, type: .srv)
        let services = records.compactMap {
            record -> (priority: UInt16, weight: UInt16, port: UInt16, target: String)? in
            guard case .srv(let priority, let weight, let port, let target) = record.data else { return nil }
            return (priority, weight, port, target)
        }
        return services.enumerated().sorted { left, right in
            (left.element.priority, UInt16.max - left.element.weight, left.offset)
                < (right.element.priority, UInt16.max - right.element.weight, right.offset)
        }.map(\.element)
    }

    /// IPv4 and IPv6 addresses of `host`, IPv6 first; an IP literal is returned as is.
    /// The two queries run in parallel; one failing is fine when the other answers.
    public func addresses(of host: String) async throws -> [String] {
        if TLSLiteral.isIP(host) { return [host] }
        async let v4 = Result(catching: { try await query(host, type: .a) })
        async let v6 = Result(catching: { try await query(host, type: .aaaa) })
        let results = await [v6, v4]
        var addresses: [String] = []
        for case .success(let records) in results {
            for record in records { if case .address(let text) = record.data { addresses.append(text) } }
        }
        if addresses.isEmpty, case .failure(let error) = results[1] { throw error }
        return addresses
    }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
