import MailTransport

extension AutoDiscoverer {
    /// Step 4: probe guessed hosts. Each host is resolved once through
    /// the ``DNSResolver`` and candidates of hosts without an address are skipped; probes run
    /// in parallel, at most ``DiscoveryConfiguration/probeConcurrency`` at once (the cap takes
    /// the place of Thunderbird's 100 ms stagger), and the whole step stops at
    /// ``DiscoveryConfiguration/probeBudget``. For incoming and for outgoing servers the winner
    /// is chosen by ``PriorityRace``: the best candidate whose better ones all failed.
    func guess(
        _ address: NormalizedAddress, emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async throws -> DiscoveryResult {
        let plan = configuration.probePlan.candidates(
            for: address.domain, allowPlaintext: configuration.allowsPlaintext)
        emit(.checking(.probe, target: address.domain))
        let imap = configuration.probePlan.imapCandidates(
            for: address.domain, allowPlaintext: configuration.allowsPlaintext)
        let addresses = await resolveOnce(Set((plan.incoming + plan.outgoing + imap).map(\.host)), emit: emit)
        func located(_ list: [ProbeCandidate]) -> [ProbeCandidate] {
            list.compactMap { candidate in
                guard let found = addresses[candidate.host], !found.isEmpty else { return nil }
                var located = candidate
                located.addresses = found
                return located
            }
        }
        let groups = [located(plan.incoming), located(plan.outgoing), located(imap)]
        let (winners, certificateFailure) = await probeAll(groups, emit: emit)
        try Self.checkCancellation()
        let incomingWinners = [winners[0], winners[2]].compactMap { $0 }
        guard let incoming = incomingWinners.first else {
            // A server that answered with a bad certificate is worth telling: the user may know why and add an exception explicitly.
            if let certificateFailure { throw certificateFailure }
            throw DiscoveryError(.noConfigurationFound, "no guessed POP3 or IMAP server answered for \(address.domain)")
        }
        func server(_ winner: (ProbeCandidate, [String])) -> DiscoveredServer {
            DiscoveredServer(
                mailProtocol: winner.0.mailProtocol, host: winner.0.host, port: winner.0.port,
                security: winner.0.security,
                username: address.address, authentication: ProbeOutcome.authentication(from: winner.1))
        }
        var result = DiscoveryResult(
            address: address, incoming: incomingWinners.map(server), outgoing: winners[1].map { [server($0)] } ?? [],
            source: .probe, origin: "probed \(incoming.0.host)")
        result.assessTrust()
        return result
    }

    /// Resolves each host once, in parallel; hosts without an address are left out.
    private func resolveOnce(
        _ hosts: Set<String>, emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async -> [String: [String]] {
        let resolver = configuration.resolver
        let timeout = configuration.dnsTimeout
        return await withTaskGroup(of: (String, [String]).self) { group in
            for host in hosts {
                group.addTask {
                    do {
                        let found = try await withDeadline(timeout, what: "resolving \(host)") {
                            try await resolver.addresses(of: host)
                        }
                        return (host, found)
                    } catch {
                        if !Task.isCancelled { emit(.sourceFailed(.probe, target: host, Self.discoveryError(error))) }
                        return (host, [])
                    }
                }
            }
            var addresses: [String: [String]] = [:]
            for await (host, found) in group where !found.isEmpty { addresses[host] = found }
            return addresses
        }
    }

    private enum ProbeEvent: Sendable {
        case done(group: Int, index: Int, outcome: ProbeOutcome)
        case deadline
    }

    /// Probes every group's candidates under the cap and the budget; returns each group's winner.
    private func probeAll(
        _ groups: [[ProbeCandidate]], emit: @escaping @Sendable (DiscoveryEvent) -> Void
    ) async
        -> (winners: [(ProbeCandidate, [String])?], certificateFailure: DiscoveryError?)
    {
        let probe = configuration.probe
        let budget = configuration.probeBudget
        let cap = max(1, configuration.probeConcurrency)
        var races = groups.map { PriorityRace(count: $0.count) }
        var decided = groups.map(\.isEmpty)
        var winners: [(ProbeCandidate, [String])?] = groups.map { _ in nil }
        var capabilities: [[Int: [String]]] = groups.map { _ in [:] }
        var skipped: [Set<Int>] = groups.map { _ in [] }
        var certificateFailure: DiscoveryError?
        let queue = groups.enumerated().flatMap { group, list in list.indices.map { (group, $0) } }
        guard !decided.allSatisfy({ $0 }) else { return (winners, nil) }

        return await withTaskGroup(of: ProbeEvent.self) { taskGroup in
            taskGroup.addTask {
                try? await Task.sleep(for: budget)
                return .deadline
            }
            var next = 0
            var inFlight = 0
            func startMore() {
                while inFlight < cap, next < queue.count {
                    let (group, index) = queue[next]
                    next += 1
                    guard !decided[group], !skipped[group].contains(index) else { continue }
                    let candidate = groups[group][index]
                    inFlight += 1
                    emit(.probing(host: candidate.host, port: candidate.port, security: candidate.security.rawValue))
                    taskGroup.addTask { .done(group: group, index: index, outcome: await probe.probe(candidate)) }
                }
            }
            func apply(_ action: PriorityRace.Action, group: Int) {
                switch action {
                case .wait: break
                case .cancel(let slots): skipped[group].formUnion(slots)
                case .finish(let winner, let slots):
                    skipped[group].formUnion(slots)
                    decided[group] = true
                    winners[group] = (groups[group][winner], capabilities[group][winner] ?? [])
                case .allFailed: decided[group] = true
                }
            }
            startMore()
            while let event = await taskGroup.next() {
                switch event {
                case .deadline:
                    for group in groups.indices where !decided[group] { apply(races[group].expire(), group: group) }
                case .done(let group, let index, let outcome):
                    inFlight -= 1
                    let candidate = groups[group][index]
                    switch outcome {
                    case .success(let found):
                        emit(.probed(host: candidate.host, port: candidate.port, succeeded: true, detail: ""))
                        capabilities[group][index] = found
                        apply(races[group].succeeded(index), group: group)
                    case .failure(let error):
                        if group == 0, error.code == .certificateRejected, certificateFailure == nil {
                            certificateFailure = error
                        }
                        if !Task.isCancelled {
                            emit(
                                .probed(
                                    host: candidate.host, port: candidate.port, succeeded: false, detail: error.detail))
                        }
                        apply(races[group].failed(index), group: group)
                    }
                }
                if decided.allSatisfy({ $0 }) || Task.isCancelled {
                    taskGroup.cancelAll()
                    break
                }
                startMore()
            }
            return (winners, certificateFailure)
        }
    }
}
