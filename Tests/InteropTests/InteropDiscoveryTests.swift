import AutoDiscovery
import Foundation
import MailTesting
import MailTransport
import TestbedSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A resolver that answers only address queries (through the real one) so that guessing can be
/// exercised on a domain whose SRV and MX records would otherwise answer first.
private struct AddressOnlyResolver: DNSResolver {
    let inner: any DNSResolver
    func query(_ name: String, type: DNSRecordType) async throws -> [DNSRecord] {
        guard type == .a || type == .aaaa else { throw DiscoveryError(.dnsNoRecords, "filtered") }
        return try await inner.query(name, type: type)
    }
}

@Suite(
    "Interop discovery against dnsmasq, the bench HTTP(S) server, Dovecot and Postfix",
    .enabled(if: TestbedEnvironment.shouldRunInteropTests, "needs scripts/testbed start"))
struct InteropDiscoveryTests {
    let bench: TestbedEnvironment
    let dns: DNSClient
    let tls: TLSPolicy

    init() throws {
        bench = try TestbedEnvironment.required()
        dns = DNSClient(
            servers: [DNSServerAddress(host: bench.dns.host, port: bench.dns.port)], timeout: .seconds(10), attempts: 1)
        tls = TLSPolicy(additionalTrustedCAFiles: [bench.caFile])
    }

    /// A configuration whose HTTP sources all miss (404 on the bench) unless overridden.
    func configuration(resolver: (any DNSResolver)? = nil) -> DiscoveryConfiguration {
        var configuration = DiscoveryConfiguration(
            resolver: resolver ?? dns, fetcher: SocketHTTPFetcher(tlsPolicy: tls),
            probe: MailServerProbe(tlsPolicy: tls, timeouts: .all(.seconds(20))))
        // Generous limits: answers come at once from the bench, but the whole suite running in
        // parallel on two cores can keep a task waiting for seconds.
        configuration.autoconfigTimeout = .seconds(20)
        configuration.ispdbTimeout = .seconds(20)
        configuration.dnsTimeout = .seconds(20)
        configuration.totalBudget = .seconds(60)
        configuration.autoconfigBase = bench.httpsBaseURL.absoluteString + "/missing"
        configuration.ispdbBase = bench.httpsBaseURL.absoluteString + "/missing/"
        configuration.probesWhenNothingFound = false
        return configuration
    }

    func code(_ body: () async throws -> Void) async -> DiscoveryError.Code? {
        do { try await body() } catch let error as DiscoveryError { return error.code } catch { return nil }
        return nil
    }

    @Test("the DNS client reads SRV, MX and A records from dnsmasq")
    func dnsRecords() async throws {
        let pop3s = try await dns.services("_pop3s._tcp.example.test")
        #expect(pop3s.map(\.target) == ["mail.example.test"])
        #expect(pop3s.first.map { Int($0.port) } == bench.pop3sPort)
        #expect(try await dns.mailExchangers(for: "example.org") == ["mx.example.org", "mail.example.test"])
        #expect(try await dns.query("mail.example.test", type: .a).map(\.data) == [.address("127.0.0.1")])
        #expect(try await dns.services("_pop3._tcp.nopop.test").map(\.target) == [""], "a '.' target")
        #expect(
            try await dns.services("_pop3s._tcp.srvorder.test").map(\.target) == [
                "a.srvorder.test", "b.srvorder.test", "c.srvorder.test",
            ])
        #expect(await code { _ = try await dns.query("nothing.example.test", type: .a) } == .dnsNoRecords)
    }

    @Test("SRV records on the bench give the POP3, IMAP and submission servers, ordered, to be confirmed")
    func srvDiscovery() async throws {
        let result = try await AutoDiscoverer(configuration: configuration()).settings(for: "alice@example.test")
        #expect(result.source == .srv && result.requiresConfirmation)
        #expect(
            result.incoming.map(\.endpoint) == [
                Endpoint(host: "mail.example.test", port: bench.pop3sPort, security: .tls),
                Endpoint(host: "mail.example.test", port: bench.pop3Port, security: .startTLS),
                Endpoint(host: "mail.example.test", port: bench.imapsPort ?? 0, security: .tls),
                Endpoint(host: "mail.example.test", port: bench.imapPort ?? 0, security: .startTLS),
            ])
        #expect(result.imap?.mailProtocol == .imap)
        #expect(
            result.outgoing.map(\.endpoint) == [
                Endpoint(host: "mail.example.test", port: bench.smtpsPort, security: .tls),
                Endpoint(host: "mail.example.test", port: bench.submissionPort, security: .startTLS),
            ])
    }

    @Test("an SRV target outside the domain is flagged for confirmation")
    func srvForeignTarget() async throws {
        let result = try await AutoDiscoverer(configuration: configuration()).settings(for: "alice@direct.test")
        #expect(result.pop3?.host == "localhost")
        #expect(result.confirmationReasons.contains { $0.contains("localhost") })
    }

    @Test("SRV '.' targets for POP3 end in popNotOffered")
    func srvNotOffered() async {
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration()).settings(for: "bob@nopop.test") }
                == .popNotOffered)
    }

    @Test("the MX host leads to its base domain's configuration in the (bench) ISPDB")
    func mxToISPDB() async throws {
        var configuration = configuration()
        configuration.ispdbBase = bench.httpsBaseURL.absoluteString + "/v1.1/"
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "bob@nopop.test")
        #expect(result.source == .mx && result.requiresConfirmation)
        #expect(result.pop3?.endpoint == Endpoint(host: "mail.example.test", port: bench.pop3sPort, security: .tls))
        #expect(result.serverDomains == ["example.test"])
    }

    @Test("HTTPS autoconfig from the bench wins, verified with the bench CA")
    func autoconfigHTTPS() async throws {
        var configuration = configuration()
        configuration.autoconfigBase = bench.httpsBaseURL.absoluteString
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "alice@example.test")
        #expect(result.source == .autoconfigHTTPS && !result.requiresConfirmation)
        #expect(result.pop3?.endpoint == Endpoint(host: "mail.example.test", port: bench.pop3sPort, security: .tls))
        #expect(result.pop3?.username == "alice@example.test")
        #expect(result.smtp?.endpoint == Endpoint(host: "mail.example.test", port: bench.smtpsPort, security: .tls))
    }

    @Test("plain-HTTP autoconfig is read too when pointed at it")
    func autoconfigHTTP() async throws {
        let response = try await SocketHTTPFetcher().fetch(
            bench.httpBaseURL.absoluteString + "/mail/config-v1.1.xml?emailaddress=alice%40example.test",
            timeout: .seconds(5))
        #expect(response.contentType == "text/xml")
        #expect(String(decoding: response.body, as: UTF8.self).contains("<clientConfig"))
    }

    @Test("the truncated ISPDB file is a malformedXML failure and discovery finds nothing")
    func truncatedFile() async throws {
        var configuration = configuration()
        configuration.ispdbBase = bench.httpsBaseURL.absoluteString + "/v1.1/"
        let events = DiscoveryEventLog()
        let failure = await code {
            _ = try await AutoDiscoverer(configuration: configuration).settings(for: "x@broken.test") {
                events.append($0)
            }
        }
        #expect(failure == .noConfigurationFound)
        #expect(
            events.all.contains { event in
                if case .sourceFailed(.ispdb, _, let error) = event { return error.code == .malformedXML }
                return false
            })
    }

    @Test("the probe completes TLS and STLS with Dovecot and STARTTLS with Postfix")
    func probes() async throws {
        let probe = MailServerProbe(tlsPolicy: tls, timeouts: .all(.seconds(5)))
        func candidate(
            _ mailProtocol: DiscoveredServer.MailProtocol, _ port: Int, _ security: Endpoint.Security,
            host: String = "mail.example.test", address: String = "127.0.0.1"
        ) -> ProbeCandidate {
            ProbeCandidate(mailProtocol: mailProtocol, host: host, addresses: [address], port: port, security: security)
        }
        guard case .success(let pop3s) = await probe.probe(candidate(.pop3, bench.pop3sPort, .tls)) else {
            Issue.record("POP3S probe failed")
            return
        }
        #expect(pop3s.contains { $0.hasPrefix("SASL") })
        guard case .success(let stls) = await probe.probe(candidate(.pop3, bench.pop3Port, .startTLS)) else {
            Issue.record("STLS probe failed")
            return
        }
        #expect(stls.contains { $0.hasPrefix("SASL") })
        guard case .success(let submission) = await probe.probe(candidate(.smtp, bench.submissionPort, .startTLS))
        else {
            Issue.record("submission probe failed")
            return
        }
        #expect(submission.contains { $0.hasPrefix("AUTH") })
        guard case .success = await probe.probe(candidate(.smtp, bench.smtpsPort, .tls)) else {
            Issue.record("submissions probe failed")
            return
        }
        guard
            case .failure(let wrongHost) = await probe.probe(
                candidate(.pop3, bench.wrongHost.port, .tls, address: bench.wrongHost.host))
        else {
            Issue.record("accepted a certificate for another host")
            return
        }
        #expect(wrongHost.code == .certificateRejected)
        guard
            case .failure(let expired) = await probe.probe(
                candidate(.pop3, bench.expired.port, .tls, host: "localhost", address: bench.expired.host))
        else {
            Issue.record("accepted an expired certificate")
            return
        }
        #expect(expired.code == .certificateRejected && expired.detail.contains("expired"))
    }

    @Test("guessing finds Dovecot and Postfix through names resolved by dnsmasq")
    func guessing() async throws {
        var configuration = configuration(resolver: AddressOnlyResolver(inner: dns))
        configuration.probesWhenNothingFound = true
        configuration.probePlan = ProbePlan(
            pop3Ports: [(bench.pop3sPort, .tls), (bench.pop3Port, .startTLS)],
            smtpPorts: [(bench.smtpsPort, .tls), (bench.submissionPort, .startTLS)])
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "alice@example.test")
        #expect(result.source == .probe && result.requiresConfirmation)
        #expect(result.pop3?.endpoint == Endpoint(host: "pop3.example.test", port: bench.pop3sPort, security: .tls))
        #expect(result.pop3?.authentication.contains(.passwordCleartext) == true)
        #expect(result.smtp?.endpoint == Endpoint(host: "smtp.example.test", port: bench.smtpsPort, security: .tls))
    }
}

/// Collects events from a progress callback.
final class DiscoveryEventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DiscoveryEvent] = []
    func append(_ event: DiscoveryEvent) { lock.withLock { events.append(event) } }
    var all: [DiscoveryEvent] { lock.withLock { events } }
}
