import Testing

@testable import AutoDiscovery

/// Answers arrive at once; the generous timeouts only matter on a loaded machine, where the
/// test server's task may wait seconds for a thread (the silent case sets its own short one).
@Suite("DNS client over loopback")
struct DNSClientTests {
    func client(_ server: LoopbackDNSServer, timeout: Duration = .seconds(15), attempts: Int = 1) -> DNSClient {
        DNSClient(servers: [server.address], timeout: timeout, attempts: attempts)
    }

    @Test("answers A, MX and SRV queries over UDP")
    func udpAnswers() async throws {
        let server = try LoopbackDNSServer { query, _ in
            let (name, type, _) = LoopbackDNSServer.question(of: query)
            switch (name, type) {
            case ("mail.example.test", 1):
                return LoopbackDNSServer.reply(
                    to: query, answerCount: 1, answers: DNSBytes.record(type: 1, data: [127, 0, 0, 1]))
            case ("example.test", 15):
                return LoopbackDNSServer.reply(
                    to: query, answerCount: 2,
                    answers:
                        DNSBytes.record(type: 15, data: [0, 20, 2] + Array("mx".utf8) + [0xc0, 12])
                        + DNSBytes.record(type: 15, data: [0, 10, 4] + Array("mail".utf8) + [0xc0, 12]))
            case ("_pop3s._tcp.example.test", 33):
                return LoopbackDNSServer.reply(
                    to: query, answerCount: 1,
                    answers: DNSBytes.record(
                        type: 33, data: [0, 0, 0, 1, 0x55, 0xeb] + DNSBytes.name("mail.example.test")))
            default: return LoopbackDNSServer.reply(to: query, flags: 0x8183, answerCount: 0, answers: [])
            }
        }
        defer { server.stop() }
        let dns = client(server)
        #expect(try await dns.addresses(of: "mail.example.test") == ["127.0.0.1"])
        #expect(try await dns.mailExchangers(for: "example.test") == ["mail.example.test", "mx.example.test"])
        let services = try await dns.services("_pop3s._tcp.example.test")
        #expect(services.first?.port == 21995 && services.first?.target == "mail.example.test")
        await #expect(throws: DiscoveryError.self) { try await dns.query("missing.example.test", type: .a) }
    }

    @Test("a truncated UDP answer is repeated over TCP")
    func truncationFallsBackToTCP() async throws {
        let server = try LoopbackDNSServer { query, tcp in
            tcp
                ? LoopbackDNSServer.reply(
                    to: query, answerCount: 1, answers: DNSBytes.record(type: 1, data: [10, 0, 0, 9]))
                : LoopbackDNSServer.reply(to: query, flags: 0x8380, answerCount: 0, answers: [])
        }
        defer { server.stop() }
        #expect(try await client(server).query("big.example.test", type: .a).map(\.data) == [.address("10.0.0.9")])
        #expect(server.tcpQueries == 1)
    }

    @Test("replies with another ID are ignored; a silent server times out")
    func spoofedAndSilent() async throws {
        let server = try LoopbackDNSServer { query, _ in
            var reply = LoopbackDNSServer.reply(
                to: query, answerCount: 1, answers: DNSBytes.record(type: 1, data: [6, 6, 6, 6]))
            reply[0] ^= 0xff
            return reply
        }
        defer { server.stop() }
        do {
            _ = try await client(server, timeout: .milliseconds(300)).query("x.example.test", type: .a)
            Issue.record("accepted a reply with a wrong ID")
        } catch let error as DiscoveryError {
            #expect(error.code == .dnsTimedOut)
        }
    }

    @Test("a reply with a compression loop is a malformedDNSMessage error")
    func hostileReply() async throws {
        let server = try LoopbackDNSServer { query, _ in
            // The answer's owner name points at itself.
            let (_, _, end) = LoopbackDNSServer.question(of: query)
            return LoopbackDNSServer.reply(
                to: query, answerCount: 1, answers: [0xc0, UInt8(end)] + [0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4])
        }
        defer { server.stop() }
        do {
            _ = try await client(server).query("loop.example.test", type: .a)
            Issue.record("accepted a looping name")
        } catch let error as DiscoveryError {
            #expect(error.code == .malformedDNSMessage)
        }
    }

    @Test("SERVFAIL moves to the next server")
    func nextServer() async throws {
        let failing = try LoopbackDNSServer { query, _ in
            LoopbackDNSServer.reply(to: query, flags: 0x8182, answerCount: 0, answers: [])
        }
        let working = try LoopbackDNSServer { query, _ in
            LoopbackDNSServer.reply(to: query, answerCount: 1, answers: DNSBytes.record(type: 1, data: [127, 0, 0, 2]))
        }
        defer { failing.stop(); working.stop() }
        let dns = DNSClient(servers: [failing.address, working.address], timeout: .seconds(15), attempts: 1)
        #expect(try await dns.query("a.example.test", type: .a).map(\.data) == [.address("127.0.0.2")])
    }

    @Test("resolv.conf nameserver lines and --dns style addresses parse")
    func serverAddresses() {
        let text =
            "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver bogus\noptions ndots:1\n"
        #expect(
            DNSServerAddress.parseResolvConf(text) == [
                DNSServerAddress(host: "192.0.2.53"), DNSServerAddress(host: "fe80::1"),
            ])
        #expect(DNSServerAddress(parsing: "127.0.0.1:21053") == DNSServerAddress(host: "127.0.0.1", port: 21053))
        #expect(DNSServerAddress(parsing: "[::1]:5353") == DNSServerAddress(host: "::1", port: 5353))
        #expect(DNSServerAddress(parsing: "dns.example.com:53") == nil)
        #expect(DNSServerAddress(parsing: "127.0.0.1:0") == nil)
    }
}
