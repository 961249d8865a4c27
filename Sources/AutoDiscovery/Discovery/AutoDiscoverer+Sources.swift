import MailTransport

extension AutoDiscoverer {
    /// A source of the race: produces a result or throws.
    typealias Source = @Sendable () async throws -> DiscoveryResult

    /// The online sources in priority order (Exchange Autodiscover is not one of them).
    func onlineSources(for address: NormalizedAddress, emit: @escaping @Sendable (DiscoveryEvent) -> Void) -> [Source] {
        let domain = address.domain
        let query = configuration.sendsAddressToAutoconfig ? "?emailaddress=" + Self.queryEncoded(address.address) : ""
        let base = configuration.autoconfigBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let autoconfigURL = (base ?? "https://autoconfig.\(domain)") + "/mail/config-v1.1.xml" + query
        let wellKnownURL = (base ?? "https://\(domain)") + "/.well-known/autoconfig/mail/config-v1.1.xml" + query
        var sources: [Source] = [
            { try await fetchConfig(autoconfigURL, .autoconfigHTTPS, configuration.autoconfigTimeout, address, emit) },
            { try await fetchConfig(wellKnownURL, .wellKnownHTTPS, configuration.autoconfigTimeout, address, emit) },
            { try await fetchConfig(ispdbURL(domain), .ispdb, configuration.ispdbTimeout, address, emit) },
            { try await mxSource(address, emit) },
            { try await srvSource(address, emit) },
        ]
        if configuration.allowsInsecureHTTP && base == nil {
            sources.append {
                try await fetchConfig(
                    "http://autoconfig.\(domain)/mail/config-v1.1.xml" + query, .autoconfigHTTP,
                    configuration.autoconfigTimeout, address, emit)
            }
            sources.append {
                try await fetchConfig(
                    "http://\(domain)/.well-known/autoconfig/mail/config-v1.1.xml" + query, .autoconfigHTTP,
                    configuration.autoconfigTimeout, address, emit)
            }
        }
        return sources
    }

    /// `<ispdbBase><domain>`.
    func ispdbURL(_ domain: String) -> String {
        let base = configuration.ispdbBase
        return (base.hasSuffix("/") ? base : base + "/") + domain
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986 §2.3), keeping `.`
    /// unencoded.
    static func queryEncoded(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return output
    }

    /// Fetches and reads one config file. No password is ever involved.
    func fetchConfig(
        _ url: String, _ source: DiscoverySource, _ timeout: Duration, _ address: NormalizedAddress,
        _ emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        emit(.checking(source, target: url))
        do {
            let response = try await configuration.fetcher.fetch(url, timeout: timeout)
            let provider = try AutoconfigReader().read(response.body)
            return try result(from: provider, for: address, source: source, origin: response.url)
        } catch {
            let failure = Self.discoveryError(error)
            if failure.code != .cancelled && !Task.isCancelled { emit(.sourceFailed(source, target: url, failure)) }
            throw failure
        }
    }

    /// P4: the most preferred MX host identifies the provider: the bundled
    /// table on the MX host's parent domain, then its registrable domain; otherwise HTTPS
    /// autoconfig and the ISPDB for those two domains, in a race of their own. Deviation from
    /// Thunderbird: no `?emailaddress=` is sent to MX-derived hosts, which belong to a third
    /// party rather than to the address's domain.
    func mxSource(
        _ address: NormalizedAddress, _ emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        let domain = address.domain
        emit(.checking(.mx, target: domain))
        do {
            let resolver = configuration.resolver
            let exchangers = try await withDeadline(configuration.dnsTimeout, what: "MX lookup for \(domain)") {
                try await resolver.mailExchangers(for: domain)
            }
            guard let first = exchangers.first else {
                throw DiscoveryError(.dnsNoRecords, "\(domain) has no MX record")
            }
            let base = RegistrableDomain.of(first)
            guard base != domain else {
                throw DiscoveryError(.noConfigurationFound, "the MX host \(first) is within \(domain) itself")
            }
            let full = RegistrableDomain.parent(of: first).flatMap { $0 != base && $0.hasSuffix("." + base) ? $0 : nil }
            let origin = "MX \(first)"
            for candidate in [full, base].compactMap({ $0 }) {
                if let provider = configuration.providerTable.provider(forMXDomain: candidate) {
                    return try result(
                        from: provider, for: address, source: .mx, origin: "\(origin) → bundled table (\(provider.id))")
                }
            }
            let timeout = configuration.autoconfigTimeout, ispdbTimeout = configuration.ispdbTimeout
            let baseURL = configuration.autoconfigBase.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            var lookups: [Source] = []
            for candidate in [full, base].compactMap({ $0 }) {
                let url = (baseURL ?? "https://autoconfig.\(candidate)") + "/mail/config-v1.1.xml"
                lookups.append { try await fetchMXConfig(url, timeout, address, origin, emit) }
                lookups.append { try await fetchMXConfig(ispdbURL(candidate), ispdbTimeout, address, origin, emit) }
            }
            let (winner, _) = await Self.race(lookups)
            guard let winner else {
                throw DiscoveryError(.noConfigurationFound, "nothing known about the MX host \(first)")
            }
            return winner
        } catch {
            let failure = Self.discoveryError(error)
            if failure.code != .cancelled && !Task.isCancelled { emit(.sourceFailed(.mx, target: domain, failure)) }
            throw failure
        }
    }

    private func fetchMXConfig(
        _ url: String, _ timeout: Duration, _ address: NormalizedAddress, _ origin: String,
        _ emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        emit(.checking(.mx, target: url))
        let response = try await configuration.fetcher.fetch(url, timeout: timeout)
        let provider = try AutoconfigReader().read(response.body)
        return try result(from: provider, for: address, source: .mx, origin: "\(origin) → \(response.url)")
    }

    /// P5: RFC 6186 SRV records (`_pop3s`, `_pop3`, `_imaps`, `_imap`, `_submissions`, `_submission`);
    /// POP3 servers are listed before IMAP ones.
    func srvSource(
        _ address: NormalizedAddress, _ emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        let domain = address.domain
        emit(.checking(.srv, target: "_pop3s._tcp.\(domain)"))
        do {
            let resolver = configuration.resolver
            let services: [(String, DiscoveredServer.MailProtocol, Endpoint.Security)] = [
                ("_pop3s", .pop3, .tls), ("_pop3", .pop3, .startTLS), ("_imaps", .imap, .tls), ("_imap", .imap, .startTLS),
                ("_submissions", .smtp, .tls), ("_submission", .smtp, .startTLS),
            ]
            let answers = try await withDeadline(configuration.dnsTimeout, what: "SRV lookups for \(domain)") {
                try await withThrowingTaskGroup(
                    of: (Int, [(priority: UInt16, weight: UInt16, port: UInt16, target: String)]?).self
                ) { group in
                    for (index, service) in services.enumerated() {
                        group.addTask {
                            do {
                                return (index, try await resolver.services("\(service.0)._tcp.\(domain)"))
                            } catch let error as DiscoveryError where error.code == .dnsNoRecords {
                                return (index, nil)
                            }
                        }
                    }
                    var answers = [[(priority: UInt16, weight: UInt16, port: UInt16, target: String)]?](
                        repeating: nil, count: services.count)
                    for try await (index, records) in group { answers[index] = records }
                    return answers
                }
            }
            var incoming: [(UInt16, Int, DiscoveredServer)] = []
            var imap: [(UInt16, Int, DiscoveredServer)] = []
            var outgoing: [(UInt16, Int, DiscoveredServer)] = []
            var popRefused = false
            for (index, service) in services.enumerated() {
                let records = answers[index] ?? []
                // RFC 2782: a single record whose target is "." means "decidedly not available".
                if records.count == 1, records[0].target.isEmpty {
                    if service.1 == .pop3 { popRefused = true }
                    continue
                }
                for record in records where !record.target.isEmpty && record.port > 0 {
                    let server = DiscoveredServer(
                        mailProtocol: service.1, host: record.target, port: Int(record.port), security: service.2,
                        username: address.address, authentication: [.passwordCleartext])
                    // Sort key: SRV priority, then implicit TLS first (RFC 8314 §5.1), then record order.
                    let entry = (record.priority, service.2 == .tls ? 0 : 1, server)
                    switch service.1 {
                    case .pop3: incoming.append(entry)
                    case .imap: imap.append(entry)
                    case .smtp: outgoing.append(entry)
                    }
                }
            }
            func ordered(_ list: [(UInt16, Int, DiscoveredServer)]) -> [DiscoveredServer] {
                list.enumerated().sorted {
                    ($0.element.0, $0.element.1, $0.offset) < ($1.element.0, $1.element.1, $1.offset)
                }
                .map(\.element.2)
            }
            guard !incoming.isEmpty || !imap.isEmpty else {
                if popRefused {
                    throw DiscoveryError(
                        .popNotOffered, "SRV records of \(domain) say POP3 is not offered (target \".\")")
                }
                throw DiscoveryError(.dnsNoRecords, "\(domain) publishes no POP3 or IMAP SRV records")
            }
            var result = DiscoveryResult(
                address: address, providerID: nil, displayName: nil, incoming: ordered(incoming) + ordered(imap),
                outgoing: ordered(outgoing),
                source: .srv, origin: "SRV records of \(domain)")
            result.assessTrust()
            return result
        } catch {
            let failure = Self.discoveryError(error)
            if failure.code != .cancelled && !Task.isCancelled { emit(.sourceFailed(.srv, target: domain, failure)) }
            throw failure
        }
    }

    /// Any error as a ``DiscoveryError``.
    static func discoveryError(_ error: any Error) -> DiscoveryError {
        if let error = error as? DiscoveryError { return error }
        if error is CancellationError { return DiscoveryError(.cancelled, "cancelled") }
        if let error = error as? TransportError {
            if error.code == .cancelled { return DiscoveryError(.cancelled, error.detail) }
            return DiscoveryError(error.code == .timedOut ? .timedOut : .network, "\(error.code): \(error.detail)")
        }
        return DiscoveryError(.network, "\(error)")
    }
}
