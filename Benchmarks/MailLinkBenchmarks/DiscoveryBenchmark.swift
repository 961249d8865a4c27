import AutoDiscovery
import Foundation
import MailTesting
import MailTransport
import TestbedSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Time to a discovery result: a bundled provider (no network), an HTTPS autoconfig hit on the
/// test bench, and a domain where nothing answers (bounded by the configured budgets).
/// Usage: `MailLinkBenchmarks discovery [--skip-silent]`. The bench parts need `scripts/testbed start`.
enum DiscoveryBenchmark {
    static func run(arguments: [String]) async throws {
        signal(SIGPIPE, SIG_IGN)
        // Start-up: the first use of the bundled table parses its XML; then the first lookup.
        var providers = 0
        let parse = await Measure.seconds { providers = ProviderTable.bundled.providers.count }
        Measure.report("discovery bundled table parse (once, at first use)", parse * 1e3, "ms", note: "\(providers) providers")
        var offline = try DiscoveryConfiguration(offline: true)
        offline.usesNetwork = false
        let discoverer = AutoDiscoverer(configuration: offline)
        let first = try await Measure.seconds { _ = try await discoverer.settings(for: "someone@gmail.com") }
        Measure.report("discovery bundled first lookup", first * 1e3, "ms")
        let addresses = ["a@gmail.com", "b@web.de", "c@outlook.com", "d@yandex.ru", "e@qq.com"]
        var samples: [Double] = []
        for index in 0..<2000 {
            let address = addresses[index % addresses.count]
            samples.append(try await Measure.seconds { _ = try await discoverer.settings(for: address) })
        }
        samples.sort()
        Measure.report(
            "discovery bundled median", samples[samples.count / 2] * 1e6, "µs",
            note: "2000 lookups, p99 \(String(format: "%.1f", samples[samples.count * 99 / 100] * 1e6)) µs")

        guard let bench = TestbedEnvironment.current else {
            print("discovery bench figures skipped: the test bench is not running (scripts/testbed start)")
            return
        }
        let tls = TLSPolicy(additionalTrustedCAFiles: [bench.caFile])
        let dns = DNSClient(servers: [DNSServerAddress(host: bench.dns.host, port: bench.dns.port)])
        for (label, policy) in [
            ("system roots + bench CA", tls),
            ("bench CA only", TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])),
        ] {
            var online = DiscoveryConfiguration(
                resolver: dns, fetcher: SocketHTTPFetcher(tlsPolicy: policy), probe: MailServerProbe(tlsPolicy: policy))
            online.autoconfigBase = bench.httpsBaseURL.absoluteString
            online.ispdbBase = bench.httpsBaseURL.absoluteString + "/v1.1/"
            var hits: [Double] = []
            for _ in 0..<20 {
                hits.append(
                    try await Measure.seconds {
                        let result = try await AutoDiscoverer(configuration: online).settings(for: "alice@example.test")
                        precondition(result.source == .autoconfigHTTPS, "expected an autoconfig hit")
                    })
            }
            hits.sort()
            Measure.report(
                "discovery autoconfig HTTPS hit on the bench median", hits[hits.count / 2] * 1e3, "ms",
                note: "\(label); 20 runs, best \(String(format: "%.2f", hits[0] * 1e3)) ms")
        }

        if arguments.contains("--skip-silent") { return }
        // Nothing answers: DNS to a UDP socket that never replies, HTTP to the bench's black hole.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddr in
                bind(silent, sockaddr, length) == 0 ? getsockname(silent, sockaddr, &length) : -1
            }
        }
        defer { close(silent) }
        let silentDNS = DNSClient(servers: [
            DNSServerAddress(host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        ])
        var nothing = DiscoveryConfiguration(
            resolver: silentDNS, fetcher: SocketHTTPFetcher(tlsPolicy: tls), probe: MailServerProbe(tlsPolicy: tls))
        let hole = "http://\(bench.blackhole.host):\(bench.blackhole.port)"
        nothing.autoconfigBase = hole
        nothing.ispdbBase = hole + "/v1.1/"
        var outcome = ""
        let waited = await Measure.seconds {
            do {
                _ = try await AutoDiscoverer(configuration: nothing).settings(for: "someone@silent.example")
                outcome = "unexpected result"
            } catch {
                outcome = "\(error)"
            }
        }
        Measure.report(
            "discovery nothing answers (default budgets)", waited, "s",
            note: "total budget \(nothing.totalBudget), \(outcome)")
    }
}
