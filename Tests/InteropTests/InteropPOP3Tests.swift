import Foundation
import MailAuth
import MailTesting
import MailTransport
import POP3Protocol
import TestbedSupport
import Testing

/// POP3Client against the bench's real Dovecot: implicit TLS and STLS, every login method
/// Dovecot offers, refusals with Dovecot's own words, the bench's broken certificates, and
/// messages that come back byte for byte as Dovecot stores them (CRLF, dots, 8-bit, 5 MB).
///
/// Uses the bench user `dave` only; serialized because the content tests empty dave's mailbox.
@Suite("Interop: POP3 client against Dovecot", .serialized, .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropPOP3Tests {
    private typealias Fixtures = InteropPOP3Fixtures
    private typealias Session = InteropPOP3Session

    // MARK: - Connecting and logging in

    @Test("implicit TLS with USER/PASS logs in and shows Dovecot's certificate and PIPELINING")
    func implicitTLSUserPass() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench)
        #expect(client.isSecure)
        #expect(client.peerCertificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
        #expect(await client.greeting.text.contains("Dovecot"))
        let capabilities = await client.capabilities
        #expect(capabilities.pipelining)
        #expect(capabilities.uidl && capabilities.top && capabilities.user)
        #expect(!capabilities.stls, "Dovecot does not offer STLS inside TLS")
        try await client.authenticate(username: dave.address, password: dave.password, method: .userPass)
        #expect(await client.isAuthenticated)
        _ = try await client.stat()
        #expect(try await client.quit())
    }

    @Test("STLS on the plain port upgrades, asks CAPA again, then SASL PLAIN logs in")
    func stlsThenPlain() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench, security: .startTLS)
        #expect(client.isSecure)
        #expect(client.peerCertificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
        let capabilities = await client.capabilities
        #expect(!capabilities.stls, "CAPA after STLS must be the one asked under TLS")
        #expect(capabilities.saslMechanisms.contains("PLAIN"))
        try await client.authenticate(username: dave.address, password: dave.password, method: .sasl(.plain))
        #expect(await client.isAuthenticated)
        #expect(try await client.quit())
    }

    @Test(
        "every method Dovecot offers logs in over TLS",
        arguments: [
            POP3AuthenticationMethod.userPass, .sasl(.plain), .sasl(.login), .sasl(.cramMD5), .apop, .automatic,
        ])
    func everyMethod(method: POP3AuthenticationMethod) async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench)
        try await client.authenticate(username: dave.address, password: dave.password, method: method)
        #expect(await client.isAuthenticated)
        _ = try await client.uidlAll()
        #expect(try await client.quit())
    }

    @Test(
        "CRAM-MD5 and APOP log in on the strict host without TLS: the password never crosses",
        arguments: [
            POP3AuthenticationMethod.sasl(.cramMD5), .apop,
        ])
    func challengeMethodsWithoutTLS(method: POP3AuthenticationMethod) async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench, security: .insecurePlaintext, host: bench.pop3StrictHost)
        #expect(!client.isSecure)
        try await client.authenticate(username: dave.address, password: dave.password, method: method)
        #expect(await client.isAuthenticated)
        #expect(try await client.quit())
    }

    @Test(
        "a wrong password is authenticationFailed with Dovecot's text, for USER/PASS and for SASL",
        arguments: [
            POP3AuthenticationMethod.userPass, .sasl(.plain), .sasl(.cramMD5),
        ])
    func wrongPassword(method: POP3AuthenticationMethod) async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: dave.address, password: "not-" + dave.password, method: method)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(
            error?.serverText?.contains("Authentication failed") == true,
            "Dovecot's words: \(String(describing: error))")
        #expect(error?.description.contains("not-" + dave.password) == false)
        #expect(await !client.isAuthenticated)
        // The session goes on after a refused login (RFC 1939 §7): the right password works.
        try await client.authenticate(username: dave.address, password: dave.password, method: method)
        #expect(await client.isAuthenticated)
        #expect(try await client.quit())
    }

    @Test("on the strict host before STLS the client refuses cleartext itself, and Dovecot refuses it too")
    func cleartextRefusedBeforeSTLS() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench, security: .insecurePlaintext, host: bench.pop3StrictHost)
        let capabilities = await client.capabilities
        #expect(capabilities.stls)
        #expect(
            !capabilities.saslMechanisms.contains("PLAIN"),
            "Dovecot hides PLAIN before TLS: \(capabilities.saslMechanisms)")
        for method in [POP3AuthenticationMethod.userPass, .sasl(.plain), .sasl(.login)] {
            let local = await #expect(throws: POP3Error.self) {
                try await client.authenticate(username: dave.address, password: dave.password, method: method)
            }
            #expect(local?.code == .cleartextRefused, "\(method)")
            #expect(local?.serverText == nil, "refused before sending anything")
        }
        // Forcing it through: Dovecot answers with its own refusal.
        let server = await #expect(throws: POP3Error.self) {
            try await client.authenticate(
                username: dave.address, password: dave.password, method: .userPass, allowInsecureAuthentication: true)
        }
        #expect(server?.code == .authenticationFailed)
        #expect(
            server?.serverText?.contains("Plaintext authentication disallowed") == true, "\(String(describing: server))"
        )
        #expect(await !client.isAuthenticated)
        await client.close()
    }

    @Test("on the strict host, STLS first makes USER/PASS acceptable")
    func strictHostAfterSTLS() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let client = try await Session.connect(bench, security: .startTLS, host: bench.pop3StrictHost)
        #expect(client.isSecure)
        try await client.authenticate(username: dave.address, password: dave.password, method: .userPass)
        #expect(await client.isAuthenticated)
        #expect(try await client.quit())
    }

    @Test("implicit TLS over IPv6 (::1) verifies the certificate and logs in")
    func ipv6() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        guard let host = bench.hostIPv6 else { return }  // the bench has no IPv6 here: nothing to prove
        let client = try await POP3Client.connect(
            to: Endpoint(host: host, port: bench.pop3sPort, security: .tls), tls: Session.policy(bench),
            timeouts: Session.timeouts)
        #expect(client.isSecure)
        try await client.authenticate(username: dave.address, password: dave.password)
        #expect(await client.isAuthenticated)
        #expect(try await client.quit())
    }

    @Test("the wrong-host certificate is refused through POP3Client.connect as a hostname mismatch")
    func wrongHostCertificate() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.connect(
                to: Endpoint(host: bench.wrongHost.host, port: bench.wrongHost.port, security: .tls),
                tls: Session.policy(bench), timeouts: Session.timeouts)
        }
        #expect(error?.code == .certificateHostnameMismatch)
        #expect(error?.certificate?.subject.contains(bench.wrongHostName) == true)
        #expect(error?.recoverySuggestion.isEmpty == false)
    }

    @Test("the expired certificate is refused through POP3Client.connect as expired")
    func expiredCertificate() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.connect(
                to: Endpoint(host: bench.expired.host, port: bench.expired.port, security: .tls),
                tls: Session.policy(bench), timeouts: Session.timeouts)
        }
        #expect(error?.code == .certificateExpired)
        #expect(error?.recoverySuggestion.isEmpty == false)
    }

    @Test("the self-signed certificate is refused through POP3Client.connect as self-signed")
    func selfSignedCertificate() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.connect(
                to: Endpoint(host: bench.selfSigned.host, port: bench.selfSigned.port, security: .tls),
                tls: Session.policy(bench), timeouts: Session.timeouts)
        }
        #expect(error?.code == .certificateSelfSigned)
    }

    // MARK: - Messages byte for byte

    /// Empties dave's mailbox, drops `messages`, logs in and returns each retrieved message
    /// keyed by its Message-ID.
    private func dropAndRetrieve(_ messages: [[UInt8]], bench: TestbedEnvironment) async throws -> [String: [UInt8]] {
        let dave = try bench.claimUser("dave")
        try bench.removeAllMessages(of: dave)
        for message in messages { try bench.deliver(Data(message), to: dave) }
        let client = try await Session.login(bench, as: dave)
        let listing = try await client.listAll()
        #expect(listing.count == messages.count)
        var retrieved: [String: [UInt8]] = [:]
        for entry in listing {
            let bytes = try await client.retrieve(entry.number)
            #expect(bytes.count == entry.size, "LIST size is the CRLF size Dovecot serves")
            retrieved[Fixtures.messageID(in: bytes) ?? "missing \(entry.number)"] = bytes
        }
        #expect(try await client.quit())
        return retrieved
    }

    @Test("CRLF messages with dot lines and raw 8-bit bodies come back byte-identical")
    func byteIdentical() async throws {
        let bench = try TestbedEnvironment.required()
        let dotsID = Fixtures.messageID("dots")
        let eightBitID = Fixtures.messageID("8bit")
        let plainID = Fixtures.messageID("plain")
        let expected = [
            dotsID: Fixtures.dotLines(id: dotsID),
            eightBitID: Fixtures.eightBit(id: eightBitID),
            plainID: Fixtures.text(id: plainID, subject: "plain", lines: ["hello", "", "world"]),
        ]
        let retrieved = try await dropAndRetrieve(Array(expected.values), bench: bench)
        #expect(Set(retrieved.keys) == Set(expected.keys))
        for (id, bytes) in expected {
            #expect(retrieved[id] == bytes, "\(id) differs from what Dovecot stores")
        }
    }

    @Test("a message stored with bare LF comes back with CRLF and is otherwise identical")
    func bareLF() async throws {
        let bench = try TestbedEnvironment.required()
        let id = Fixtures.messageID("lf")
        let lf =
            Array(
                "From: a@maillink.test\nSubject: bare LF\nMessage-ID: \(id)\n\nline one\n.dot line\n..two dots\nLatin-1 "
                    .utf8)
            + [0xE9, 0xFC] + Array("\nlast\n".utf8)
        let retrieved = try await dropAndRetrieve([lf], bench: bench)
        let bytes = try #require(retrieved[id])
        #expect(bytes == Fixtures.normalizedToCRLF(lf))
        #expect(!bytes.enumerated().contains { $0.element == 10 && ($0.offset == 0 || bytes[$0.offset - 1] != 13) })
    }

    @Test("a 5 MB base64 attachment comes back byte-identical, in memory and streamed")
    func largeAttachment() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let id = Fixtures.messageID("large")
        let message = Fixtures.attachment(id: id, byteCount: 5 << 20)
        #expect(message.count > 6_900_000)
        try bench.removeAllMessages(of: dave)
        try bench.deliver(Data(message), to: dave)
        let client = try await Session.login(bench, as: dave)
        let listing = try await client.listAll()
        #expect(listing.map(\.size) == [message.count])
        #expect(try await client.retrieve(1) == message)
        let collected = Collector()
        let count = try await client.retrieve(1) { chunk in collected.append(chunk) }
        #expect(count == message.count)
        #expect(collected.bytes == message)
        #expect(collected.chunks > 1, "streamed in chunks, not in one piece")
        #expect(try await client.quit())
    }

    @Test("TOP n 0 returns exactly the header block; TOP n 2 adds two body lines")
    func top() async throws {
        let bench = try TestbedEnvironment.required()
        let dave = try bench.claimUser("dave")
        let id = Fixtures.messageID("top")
        let message = Fixtures.text(id: id, subject: "top", lines: ["first", ".second", "third", "fourth"])
        try bench.removeAllMessages(of: dave)
        try bench.deliver(Data(message), to: dave)
        let client = try await Session.login(bench, as: dave)
        let headers = try await client.top(1, lines: 0)
        #expect(headers == Fixtures.headerBlock(message))
        #expect(Fixtures.messageID(in: headers) == id)
        let two = try await client.top(1, lines: 2)
        #expect(two == Fixtures.headerBlock(message) + Array("first\r\n.second\r\n".utf8))
        #expect(try await client.quit())
    }
}

/// Collects streamed chunks (the sink is `@Sendable`).
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [UInt8] = []
    private var count = 0
    func append(_ chunk: [UInt8]) {
        lock.withLock {
            storage += chunk
            count += 1
        }
    }
    var bytes: [UInt8] { lock.withLock { storage } }
    var chunks: Int { lock.withLock { count } }
}
