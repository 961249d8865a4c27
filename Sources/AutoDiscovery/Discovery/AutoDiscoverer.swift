/// Finds POP3 and SMTP settings for an e-mail address.
///
/// 1. Normalise the address (``NormalizedAddress``).
/// 2. Bundled table: an exact domain match answers at once, without any network.
/// 3. Otherwise a priority race, every source started together, the best-priority success
///    winning (``PriorityRace``), each source with its own time limit, all cancellable:
///    HTTPS autoconfig > HTTPS well-known > ISPDB > MX match > RFC 6186 SRV > plain-HTTP
///    autoconfig (opt-in). Exchange Autodiscover is not implemented: it needs
///    the password, and discovery never receives one.
/// 4. If nothing answered: guess host names and probe them (``ProbePlan``, ``ServerProbe``).
///
/// ```swift
/// let discoverer = AutoDiscoverer(configuration: DiscoveryConfiguration())
/// for try await event in discoverer.discover(address: "someone@example.com") {
///     if case .found(let result) = event { print(result.pop3?.endpoint as Any) }
/// }
/// ```
public struct AutoDiscoverer: Sendable {
    /// Sources, limits and seams.
    public var configuration: DiscoveryConfiguration

    /// A discoverer.
    public init(configuration: DiscoveryConfiguration = DiscoveryConfiguration()) {
        self.configuration = configuration
    }

    /// Progress events ending with exactly one ``DiscoveryEvent/found(_:)``, or an error
    /// (``DiscoveryError``: `.invalidAddress`, `.noConfigurationFound`, `.noNetwork`,
    /// `.popNotOffered`, `.cancelled`). Ending the iteration early cancels all work.
    public func discover(address: String) -> AsyncThrowingStream<DiscoveryEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let result = try await run(address) { continuation.yield($0) }
                    continuation.yield(.found(result))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The result alone; `progress` sees every event before it.
    public func settings(
        for address: String, progress: @escaping @Sendable (DiscoveryEvent) -> Void = { _ in }
    ) async throws
        -> DiscoveryResult
    {
        try await run(address, emit: progress)
    }

    /// The bundled-table answer for `address`, or nil (synchronous, no network).
    public func bundledSettings(for address: NormalizedAddress) -> DiscoveryResult? {
        guard let provider = configuration.providerTable.provider(forDomain: address.domain) else { return nil }
        return try? result(from: provider, for: address, source: .bundled, origin: "bundled table (\(provider.id))")
    }

    private func run(_ text: String, emit: @escaping @Sendable (DiscoveryEvent) -> Void) async throws -> DiscoveryResult
    {
        let address = try NormalizedAddress(text)
        emit(.started(address))
        emit(.checking(.bundled, target: address.domain))
        if let bundled = bundledSettings(for: address) { return bundled }
        emit(
            .sourceFailed(
                .bundled, target: address.domain, DiscoveryError(.noConfigurationFound, "not in the bundled table")))
        guard configuration.usesNetwork else {
            throw DiscoveryError(
                .noConfigurationFound, "\(address.domain) is not in the bundled table and the network is off")
        }
        let discoverer = self
        do {
            return try await withDeadline(configuration.totalBudget, what: "discovery for \(address.domain)") {
                try await discoverer.online(address, emit: emit)
            }
        } catch let error as DiscoveryError where error.code == .timedOut {
            try Self.checkCancellation()
            throw DiscoveryError(
                .noConfigurationFound, "nothing answered for \(address.domain) within \(configuration.totalBudget)")
        }
    }

    /// The race, then probing.
    private func online(
        _ address: NormalizedAddress, emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        let (winner, errors) = await Self.race(onlineSources(for: address, emit: emit))
        try Self.checkCancellation()
        if let winner { return winner }
        var failures = errors
        if configuration.probesWhenNothingFound {
            do {
                return try await guess(address, emit: emit)
            } catch {
                try Self.checkCancellation()
                failures.append(error)
            }
        }
        throw Self.summarise(failures, domain: address.domain)
    }

    static func checkCancellation() throws {
        if Task.isCancelled { throw DiscoveryError(.cancelled, "discovery was cancelled") }
    }

    /// The error reported when everything failed (K-9's rule: "no network" only if every
    /// source failed for network reasons).
    static func summarise(_ errors: [any Error], domain: String) -> DiscoveryError {
        let codes = errors.map { ($0 as? DiscoveryError)?.code ?? .network }
        if codes.contains(.popNotOffered),
            let error = errors.first(where: { ($0 as? DiscoveryError)?.code == .popNotOffered })
        {
            return error as? DiscoveryError ?? DiscoveryError(.popNotOffered)
        }
        if let error = errors.first(where: { ($0 as? DiscoveryError)?.code == .certificateRejected }) as? DiscoveryError
        {
            return error
        }
        let networkCodes: Set<DiscoveryError.Code> = [.network, .timedOut, .dnsTimedOut]
        if !codes.isEmpty, codes.allSatisfy({ networkCodes.contains($0) }) {
            return DiscoveryError(.noNetwork, "every source for \(domain) failed with a network error")
        }
        return DiscoveryError(.noConfigurationFound, "no source knows \(domain) (\(errors.count) sources tried)")
    }

    /// A result from a provider configuration; throws when it has no usable incoming server.
    func result(
        from provider: ProviderConfiguration, for address: NormalizedAddress, source: DiscoverySource, origin: String
    )
        throws -> DiscoveryResult
    {
        let servers = provider.servers(for: address, allowPlaintext: configuration.allowsPlaintext)
        guard !servers.incoming.isEmpty || provider.hints.popUnavailable else {
            throw DiscoveryError(.invalidConfiguration, "no usable incoming server in \(origin)")
        }
        var result = DiscoveryResult(
            address: address, providerID: provider.id.isEmpty ? nil : provider.id, displayName: provider.displayName,
            incoming: servers.incoming, outgoing: servers.outgoing, source: source, origin: origin,
            hints: provider.hints)
        result.assessTrust()
        return result
    }
}
