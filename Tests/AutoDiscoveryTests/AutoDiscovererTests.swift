import Foundation
import MailTransport
import Synchronization
import Testing

@testable import AutoDiscovery

@Suite("AutoDiscoverer over fakes")
struct AutoDiscovererTests {
    static let autoconfig = "https://autoconfig.example.net/mail/config-v1.1.xml"
    static let wellKnown = "https://example.net/.well-known/autoconfig/mail/config-v1.1.xml"
    static let ispdb = "https://ispdb.test/v1.1/example.net"

    func code(_ body: () async throws -> Void) async -> DiscoveryError.Code? {
        do { try await body() } catch let error as DiscoveryError { return error.code } catch { return nil }
        return nil
    }

    @Test("a bundled provider answers without touching the network")
    func bundled() async throws {
        let resolver = FakeResolver(), fetcher = FakeFetcher([:])
        let discoverer = AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver, fetcher: fetcher))
        let result = try await discoverer.settings(for: "Someone@GMail.com")
        #expect(result.source == .bundled && result.trust == .high && !result.requiresConfirmation)
        #expect(result.pop3?.endpoint == Endpoint(host: "pop.gmail.com", port: 995, security: .tls))
        #expect(result.pop3?.username == "Someone@gmail.com")
        #expect(result.smtp?.endpoint == Endpoint(host: "smtp.gmail.com", port: 465, security: .tls))
        #expect(result.hints.requiresAppPassword)
        #expect(fetcher.requested.withLock { $0.isEmpty })
        #expect(resolver.log.all.isEmpty)
    }

    @Test("iCloud is found but says POP3 is unavailable; WEB.DE carries its poll interval")
    func bundledHints() async throws {
        let discoverer = AutoDiscoverer(configuration: fakeConfiguration())
        let icloud = try await discoverer.settings(for: "a@me.com")
        #expect(icloud.hints.popUnavailable && icloud.pop3 == nil)
        let webde = try await discoverer.settings(for: "max.muster@web.de")
        #expect(webde.pop3?.minimumPollInterval == .seconds(900))
        #expect(webde.pop3?.username == "max.muster")
    }

    @Test("linking's automatic choice is IMAP when offered, else POP3; iCloud (IMAP only) is offered over IMAP")
    func preferredIncoming() async throws {
        let discoverer = AutoDiscoverer(configuration: fakeConfiguration())
        let icloud = try await discoverer.settings(for: "someone@icloud.com")
        #expect(icloud.preferredIncoming?.mailProtocol == .imap)
        #expect(icloud.preferredIncoming?.endpoint == Endpoint(host: "imap.mail.me.com", port: 993, security: .tls))
        #expect(icloud.textLines.contains("links over imap imap.mail.me.com:993 tls (IMAP when offered, else POP3)"))
        #expect(icloud.textLines.contains { $0.hasPrefix("hint: this provider offers no POP3 (it links over IMAP)") })
        #expect(DiscoveryEvent.found(icloud).description == "found imap imap.mail.me.com:993 from bundled")
        let gmail = try await discoverer.settings(for: "someone@gmail.com")
        #expect(gmail.preferredIncoming?.host == "imap.gmail.com" && gmail.pop3?.host == "pop.gmail.com")
        let rambler = try await discoverer.settings(for: "someone@rambler.ru")
        #expect(rambler.imap == nil && rambler.preferredIncoming?.host == "pop.rambler.ru")
        let proton = try await discoverer.settings(for: "someone@proton.me")
        #expect(proton.preferredIncoming == nil)
        #expect(proton.textLines.contains("links over nothing: no POP3 or IMAP server was found"))
    }

    @Test("offline, an unknown domain fails without network access")
    func offline() async {
        let fetcher = FakeFetcher([:])
        var configuration = fakeConfiguration(fetcher: fetcher)
        configuration.usesNetwork = false
        let failure = await code {
            _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net")
        }
        #expect(failure == .noConfigurationFound)
        #expect(fetcher.requested.withLock { $0.isEmpty })
    }

    @Test("HTTPS autoconfig wins over a faster ISPDB answer")
    func priorityBeatsSpeed() async throws {
        let fetcher = FakeFetcher([
            Self.autoconfig: (
                .milliseconds(200), .success(sampleConfig(domain: "example.net", host: "pop.example.net"))
            ),
            Self.ispdb: (.zero, .success(sampleConfig(domain: "example.net", host: "ispdb-host.example.net"))),
        ])
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(fetcher: fetcher)).settings(
            for: "a@example.net")
        #expect(result.source == .autoconfigHTTPS)
        #expect(result.pop3?.host == "pop.example.net")
        #expect(!result.requiresConfirmation)
    }

    @Test("the ISPDB wins once better sources fail")
    func fallsToISPDB() async throws {
        let fetcher = FakeFetcher([
            Self.autoconfig: (.milliseconds(100), .failure(DiscoveryError(.httpFailure, "HTTP 404"))),
            Self.ispdb: (.zero, .success(sampleConfig(domain: "example.net", host: "pop.isp.example"))),
        ])
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(fetcher: fetcher)).settings(
            for: "a@example.net")
        #expect(result.source == .ispdb)
        #expect(result.origin == Self.ispdb + "")
        #expect(!result.requiresConfirmation, "curated ISPDB data may name hosts elsewhere")
    }

    @Test("a winning best source cancels the slower, worse ones")
    func cancelsWorse() async throws {
        let fetcher = FakeFetcher([
            Self.autoconfig: (.zero, .success(sampleConfig(domain: "example.net", host: "pop.example.net"))),
            Self.ispdb: (.seconds(30), .success(sampleConfig(domain: "example.net", host: "slow.example.net"))),
        ])
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(fetcher: fetcher)).settings(
            for: "a@example.net")
        #expect(result.source == .autoconfigHTTPS)
        #expect(fetcher.waitedOut.withLock { $0.isEmpty }, "the straggler takes 30 s: it was not awaited")
        try await Task.sleep(for: .milliseconds(100))
        #expect(fetcher.cancelled.withLock { $0.contains(Self.ispdb) })
    }

    @Test("autoconfig URLs carry the address with '.' unencoded and never a password")
    func autoconfigQuery() async throws {
        let fetcher = FakeFetcher([:])
        var configuration = fakeConfiguration(fetcher: fetcher)
        configuration.probesWhenNothingFound = false
        _ = try? await AutoDiscoverer(configuration: configuration).settings(for: "jo.doe+x@example.net")
        let urls = fetcher.requested.withLock { $0 }
        #expect(urls.contains(Self.autoconfig + "?emailaddress=jo.doe%2Bx%40example.net"))
        #expect(urls.contains(Self.wellKnown + "?emailaddress=jo.doe%2Bx%40example.net"))
        #expect(urls.contains(Self.ispdb))
        #expect(!urls.contains { $0.hasPrefix("http://") }, "plain HTTP only on request")
    }

    @Test("plain-HTTP autoconfig is used only when allowed, and then needs confirmation")
    func insecureHTTP() async throws {
        let fetcher = FakeFetcher([
            "http://autoconfig.example.net/mail/config-v1.1.xml": (
                .zero, .success(sampleConfig(domain: "example.net", host: "pop.example.net"))
            )
        ])
        var configuration = fakeConfiguration(fetcher: fetcher)
        configuration.probesWhenNothingFound = false
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net") }
                == .noConfigurationFound)
        configuration.allowsInsecureHTTP = true
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net")
        #expect(result.source == .autoconfigHTTP && result.trust == .insecureHTTP && result.requiresConfirmation)
    }

    @Test("an MX host of a known provider matches the bundled table and needs confirmation")
    func mxMatchesBundled() async throws {
        var resolver = FakeResolver()
        resolver.add(
            "custom.example", .mx, .mx(preference: 20, exchange: "alt1.aspmx.l.google.com"),
            .mx(preference: 1, exchange: "aspmx.l.google.com"))
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver)).settings(
            for: "boss@custom.example")
        #expect(result.source == .mx && result.trust == .dnsDerived && result.requiresConfirmation)
        #expect(result.providerID == "gmail.com")
        #expect(result.pop3?.username == "boss@custom.example")
        #expect(result.serverDomains.contains("gmail.com"))
    }

    @Test("Microsoft 365 and Outlook.com are told apart by the MX sub-domain")
    func mxSubdomain() async throws {
        var resolver = FakeResolver()
        resolver.add("firm.example", .mx, .mx(preference: 0, exchange: "firm-example.mail.protection.outlook.com"))
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver)).settings(
            for: "a@firm.example")
        #expect(result.providerID == "office365.com")
    }

    @Test("SRV records give ordered servers; a target outside the domain needs confirmation")
    func srv() async throws {
        var resolver = FakeResolver()
        resolver.add(
            "_pop3._tcp.example.net", .srv, .srv(priority: 0, weight: 1, port: 110, target: "mail.example.net"))
        resolver.add(
            "_pop3s._tcp.example.net", .srv, .srv(priority: 0, weight: 1, port: 995, target: "mail.example.net"),
            .srv(priority: 10, weight: 1, port: 995, target: "backup.hoster.example"))
        resolver.add(
            "_submission._tcp.example.net", .srv, .srv(priority: 0, weight: 1, port: 587, target: "smtp.hoster.example")
        )
        resolver.add("_submissions._tcp.example.net", .srv, .srv(priority: 0, weight: 0, port: 0, target: ""))
        var configuration = fakeConfiguration(resolver: resolver)
        configuration.probesWhenNothingFound = false
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net")
        #expect(result.source == .srv && result.requiresConfirmation)
        #expect(
            result.incoming.map(\.endpoint) == [
                Endpoint(host: "mail.example.net", port: 995, security: .tls),
                Endpoint(host: "mail.example.net", port: 110, security: .startTLS),
                Endpoint(host: "backup.hoster.example", port: 995, security: .tls),
            ])
        #expect(
            result.outgoing.map(\.endpoint) == [Endpoint(host: "smtp.hoster.example", port: 587, security: .startTLS)])
        #expect(result.confirmationReasons.contains { $0.contains("hoster.example") })
    }

    @Test("_imaps and _imap SRV records (RFC 6186) give IMAP servers, after POP3, also when POP3 is refused")
    func srvIMAP() async throws {
        var resolver = FakeResolver()
        resolver.add("_pop3s._tcp.imaponly.example", .srv, .srv(priority: 0, weight: 0, port: 0, target: ""))
        resolver.add(
            "_imap._tcp.imaponly.example", .srv, .srv(priority: 0, weight: 1, port: 143, target: "mail.imaponly.example"))
        resolver.add(
            "_imaps._tcp.imaponly.example", .srv, .srv(priority: 0, weight: 1, port: 993, target: "mail.imaponly.example"))
        var configuration = fakeConfiguration(resolver: resolver)
        configuration.probesWhenNothingFound = false
        let result = try await AutoDiscoverer(configuration: configuration).settings(for: "a@imaponly.example")
        #expect(result.source == .srv && result.pop3 == nil)
        #expect(
            result.incoming.map(\.endpoint) == [
                Endpoint(host: "mail.imaponly.example", port: 993, security: .tls),
                Endpoint(host: "mail.imaponly.example", port: 143, security: .startTLS),
            ])
        #expect(result.imap?.mailProtocol == .imap && result.imap?.port == 993)
    }

    @Test("SRV targets of '.' for POP3 report that POP3 is not offered")
    func srvNotOffered() async {
        var resolver = FakeResolver()
        resolver.add("_pop3._tcp.nopop.example", .srv, .srv(priority: 0, weight: 0, port: 0, target: ""))
        resolver.add("_pop3s._tcp.nopop.example", .srv, .srv(priority: 0, weight: 0, port: 0, target: ""))
        var configuration = fakeConfiguration(resolver: resolver)
        configuration.probesWhenNothingFound = false
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@nopop.example") }
                == .popNotOffered)
    }

    @Test("when every source fails on the network, the error says no network")
    func noNetwork() async {
        var resolver = FakeResolver()
        resolver.failures["example.net"] = DiscoveryError(.dnsTimedOut)
        for service in ["_pop3s", "_pop3", "_submissions", "_submission"] {
            resolver.failures["\(service)._tcp.example.net"] = DiscoveryError(.dnsTimedOut)
        }
        let fetcher = FakeFetcher([
            Self.autoconfig: (.zero, .failure(DiscoveryError(.network))),
            Self.wellKnown: (.zero, .failure(DiscoveryError(.network))),
            Self.ispdb: (.zero, .failure(DiscoveryError(.timedOut))),
        ])
        var configuration = fakeConfiguration(resolver: resolver, fetcher: fetcher)
        configuration.probesWhenNothingFound = false
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net") }
                == .noNetwork)
    }

    @Test("probing picks the best candidate whose better ones failed, skipping hosts without address")
    func probing() async throws {
        var resolver = FakeResolver()
        resolver.add("pop3.example.net", .a, .address("192.0.2.1"))
        resolver.add("pop.example.net", .a, .address("192.0.2.2"))
        resolver.add("smtp.example.net", .a, .address("192.0.2.3"))
        var probe = FakeProbe()
        probe.outcomes = [
            "pop.example.net:995": .success(capabilities: ["USER", "SASL PLAIN CRAM-MD5"]),
            "pop3.example.net:110": .success(capabilities: ["STLS"]),
            "smtp.example.net:587": .success(capabilities: ["AUTH PLAIN LOGIN"]),
        ]
        let events = Mutex<[DiscoveryEvent]>([])
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver, probe: probe))
            .settings(for: "a@example.net") { event in events.withLock { $0.append(event) } }
        #expect(result.source == .probe && result.trust == .guessed && result.requiresConfirmation)
        #expect(result.pop3?.endpoint == Endpoint(host: "pop.example.net", port: 995, security: .tls))
        #expect(result.pop3?.authentication == [.passwordEncrypted, .passwordCleartext])
        #expect(result.smtp?.endpoint == Endpoint(host: "smtp.example.net", port: 587, security: .startTLS))
        let probed = probe.probed.all
        #expect(
            !probed.contains { $0.hasPrefix("mail.example.net") || $0.hasPrefix("example.net") }, "no address, no probe"
        )
        #expect(events.withLock { $0.contains(.probing(host: "pop.example.net", port: 995, security: "tls")) })
    }

    @Test("probing finds an IMAP-only server (imap.<domain>:993) when no POP3 server answers")
    func probingIMAP() async throws {
        var resolver = FakeResolver()
        resolver.add("imap.example.net", .a, .address("192.0.2.4"))
        var probe = FakeProbe()
        probe.outcomes = ["imap.example.net:993": .success(capabilities: ["IMAP4REV1", "PLAIN"])]
        let result = try await AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver, probe: probe))
            .settings(for: "a@example.net")
        #expect(result.source == .probe && result.pop3 == nil)
        #expect(result.imap?.endpoint == Endpoint(host: "imap.example.net", port: 993, security: .tls))
    }

    @Test("when the only answering POP3 server has a bad certificate, the error says so")
    func probingCertificate() async {
        var resolver = FakeResolver()
        resolver.add("mail.example.net", .a, .address("192.0.2.9"))
        var probe = FakeProbe()
        probe.outcomes = [
            "mail.example.net:995": .failure(
                DiscoveryError(.certificateRejected, "mail.example.net: certificate expired"))
        ]
        let failure = await code {
            _ = try await AutoDiscoverer(configuration: fakeConfiguration(resolver: resolver, probe: probe)).settings(
                for: "a@example.net")
        }
        #expect(failure == .certificateRejected)
    }

    @Test("linkmail discover options map onto the configuration")
    func commandLineOptions() throws {
        let configuration = try DiscoveryConfiguration(
            dnsServer: "127.0.0.1:21053", autoconfigBase: "http://127.0.0.1:21080",
            ispdbBase: "http://127.0.0.1:21080/v1.1/",
            offline: true, probe: true)
        #expect((configuration.resolver as? DNSClient)?.servers == [DNSServerAddress(host: "127.0.0.1", port: 21053)])
        #expect(
            configuration.autoconfigBase == "http://127.0.0.1:21080"
                && configuration.ispdbBase == "http://127.0.0.1:21080/v1.1/")
        #expect(!configuration.usesNetwork && configuration.probesWhenNothingFound)
        #expect(throws: DiscoveryError.self) { try DiscoveryConfiguration(dnsServer: "dns.example.com") }
        let defaults = try DiscoveryConfiguration(offline: false)
        #expect(defaults.usesNetwork && !defaults.probesWhenNothingFound && !defaults.allowsInsecureHTTP)
    }

    @Test("probing stops at its budget")
    func probeBudget() async {
        var resolver = FakeResolver()
        resolver.add("pop.example.net", .a, .address("192.0.2.2"))
        var probe = FakeProbe()
        probe.delay = .seconds(30)
        var configuration = fakeConfiguration(resolver: resolver, probe: probe)
        configuration.probeBudget = .milliseconds(300)
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net") }
                == .noConfigurationFound)
        #expect(!probe.probed.all.isEmpty)
        #expect(probe.waitedOut.all.isEmpty, "each probe takes 30 s: none may have been waited for")
    }

    @Test("the event stream starts, reports sources and ends with one result")
    func eventStream() async throws {
        let fetcher = FakeFetcher([
            Self.ispdb: (.zero, .success(sampleConfig(domain: "example.net", host: "pop.example.net")))
        ])
        var events: [DiscoveryEvent] = []
        for try await event in AutoDiscoverer(configuration: fakeConfiguration(fetcher: fetcher)).discover(
            address: "a@example.net")
        {
            events.append(event)
        }
        guard case .started(let address)? = events.first, case .found(let result)? = events.last else {
            Issue.record("bad event order: \(events)")
            return
        }
        #expect(address.domain == "example.net" && result.source == .ispdb)
        #expect(events.contains(.checking(.ispdb, target: Self.ispdb)))
        #expect(events.contains { if case .sourceFailed(.autoconfigHTTPS, _, _) = $0 { true } else { false } })
    }

    @Test("ending the stream early cancels the running sources")
    func cancellation() async throws {
        let fetcher = FakeFetcher([
            Self.autoconfig: (.seconds(30), .success(sampleConfig(domain: "example.net", host: "pop.example.net"))),
            Self.ispdb: (.seconds(30), .success(sampleConfig(domain: "example.net", host: "pop.example.net"))),
        ])
        for try await event in AutoDiscoverer(configuration: fakeConfiguration(fetcher: fetcher)).discover(
            address: "a@example.net")
        {
            if case .checking(.ispdb, _) = event { break }
        }
        for _ in 0..<50 where fetcher.cancelled.withLock({ $0.count }) < 2 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(fetcher.cancelled.withLock { Set($0) } == [Self.autoconfig, Self.ispdb])
        #expect(fetcher.waitedOut.withLock { $0.isEmpty }, "the stragglers take 30 s: none was awaited")
    }

    @Test("the total budget bounds discovery when every source hangs")
    func totalBudget() async {
        var resolver = FakeResolver()
        resolver.delays["example.net"] = .seconds(30)
        let fetcher = FakeFetcher([
            Self.autoconfig: (.seconds(30), .failure(DiscoveryError(.network))),
            Self.ispdb: (.seconds(30), .failure(DiscoveryError(.network))),
        ])
        var configuration = fakeConfiguration(resolver: resolver, fetcher: fetcher)
        configuration.totalBudget = .milliseconds(300)
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: configuration).settings(for: "a@example.net") }
                == .noConfigurationFound)
        #expect(resolver.waitedOut.all.isEmpty && fetcher.waitedOut.withLock { $0.isEmpty },
                "every source takes 30 s: none was awaited")
    }

    @Test("an invalid address fails before any work")
    func invalidAddress() async {
        #expect(
            await code { _ = try await AutoDiscoverer(configuration: fakeConfiguration()).settings(for: "nobody") }
                == .invalidAddress)
    }
}

@Suite("Result presentation")
struct DiscoveryResultTextTests {
    @Test("text lines and JSON carry servers, source, trust and hints")
    func presentation() async throws {
        let result = try await AutoDiscoverer(configuration: fakeConfiguration()).settings(for: "someone@gmail.com")
        let lines = result.textLines
        #expect(
            lines.first == "incoming pop3 pop.gmail.com:995 tls user someone@gmail.com auth OAuth2,password-cleartext")
        #expect(lines.contains { $0.hasPrefix("source bundled") && $0.contains("no confirmation needed") })
        #expect(lines.contains { $0.contains("app password") })
        let json = try result.json()
        #expect(json.contains("\"source\":\"bundled\""))
        #expect(json.contains("\"host\":\"pop.gmail.com\""))
        let decoded = try JSONDecoder().decode(DiscoveryResult.self, from: Data(json.utf8))
        #expect(decoded == result)
    }
}
