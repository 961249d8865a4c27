import MailTransport
import Synchronization

@testable import AutoDiscovery

#if canImport(Glibc)
    import Glibc
#endif

/// A resolver answering from a table; unknown names are NXDOMAIN. Optional delays per name.
struct FakeResolver: DNSResolver {
    var records: [String: [DNSRecord]] = [:]
    var failures: [String: DiscoveryError] = [:]
    var delays: [String: Duration] = [:]
    let log = Recorder()
    /// Queries that waited out their whole delay (not cancelled).
    let waitedOut = Recorder()

    func query(_ name: String, type: DNSRecordType) async throws -> [DNSRecord] {
        let key = "\(name) \(type)"
        log.append(key)
        if let delay = delays[key] ?? delays[name] {
            try await Task.sleep(for: delay)
            waitedOut.append(key)
        }
        if let failure = failures[key] ?? failures[name] { throw failure }
        guard let found = records[key] else { throw DiscoveryError(.dnsNoRecords, "\(name) NXDOMAIN") }
        return found
    }

    mutating func add(_ name: String, _ type: DNSRecordType, _ data: DNSRecord.Data...) {
        records["\(name) \(type)", default: []] += data.map { DNSRecord(name: name, type: type, data: $0) }
    }
}

/// A fetcher answering from a table of URL → (delay, body or error); records every URL asked.
final class FakeFetcher: HTTPFetcher {
    let answers: [String: (Duration, Result<String, DiscoveryError>)]
    let requested = Mutex<[String]>([])
    let cancelled = Mutex<[String]>([])
    /// Fetches that waited out their whole delay (not cancelled).
    let waitedOut = Mutex<[String]>([])

    init(_ answers: [String: (Duration, Result<String, DiscoveryError>)]) {
        self.answers = answers
    }

    func fetch(_ url: String, timeout: Duration) async throws -> HTTPResponse {
        requested.withLock { $0.append(url) }
        let key = url.split(separator: "?").first.map(String.init) ?? url
        guard let (delay, result) = answers[key] else { throw DiscoveryError(.httpFailure, "HTTP 404 from \(url)") }
        do {
            try await Task.sleep(for: delay)
            if delay > .zero { waitedOut.withLock { $0.append(key) } }
        } catch {
            cancelled.withLock { $0.append(key) }
            throw DiscoveryError(.cancelled, url)
        }
        switch result {
        case .success(let body):
            return HTTPResponse(status: 200, contentType: "text/xml", body: Array(body.utf8), url: url)
        case .failure(let error): throw error
        }
    }
}

/// A probe answering from a table of `host:port` → outcome; unknown candidates are refused.
struct FakeProbe: ServerProbe {
    var outcomes: [String: ProbeOutcome] = [:]
    var delay: Duration = .zero
    let probed = Recorder()
    /// Probes that waited out their whole delay (not cancelled).
    let waitedOut = Recorder()

    func probe(_ candidate: ProbeCandidate) async -> ProbeOutcome {
        let key = "\(candidate.host):\(candidate.port)"
        probed.append(key)
        if delay > .zero {
            do { try await Task.sleep(for: delay) } catch { return .failure(DiscoveryError(.cancelled)) }
            waitedOut.append(key)
        }
        return outcomes[key] ?? .failure(DiscoveryError(.network, "\(key): connection refused"))
    }
}

/// A config-v1.1 document for `domain` with one POP3 and one SMTP server on `host`.
func sampleConfig(domain: String, host: String, pop3Port: Int = 995, extra: String = "") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <clientConfig version="1.1"><emailProvider id="\(domain)"><domain>\(domain)</domain>
    <displayName>\(domain) mail</displayName>
    <incomingServer type="pop3"><hostname>\(host)</hostname><port>\(pop3Port)</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
    <outgoingServer type="smtp"><hostname>\(host)</hostname><port>465</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
    \(extra)</emailProvider></clientConfig>
    """
}

/// A configuration wired to fakes, offline-safe (no real network anywhere).
func fakeConfiguration(
    resolver: FakeResolver = FakeResolver(), fetcher: FakeFetcher = FakeFetcher([:]), probe: FakeProbe = FakeProbe()
) -> DiscoveryConfiguration {
    var configuration = DiscoveryConfiguration(resolver: resolver, fetcher: fetcher, probe: probe)
    configuration.ispdbBase = "https://ispdb.test/v1.1/"
    configuration.probeBudget = .seconds(5)
    return configuration
}

/// A thread-safe list of strings for fakes that are structs.
final class Recorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ entry: String) { storage.withLock { $0.append(entry) } }
    var all: [String] { storage.withLock { $0 } }
}

