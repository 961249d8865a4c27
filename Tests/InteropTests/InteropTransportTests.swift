import MailTesting
import MailTransport
import TestbedSupport
import Testing

/// MailTransport against the bench's real Dovecot: TLS with the bench CA, STLS, and the bench's
/// broken certificates, refused and black-holed ports.
@Suite("Interop: transport against Dovecot", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropTransportTests {
    private func benchPolicy(_ bench: TestbedEnvironment) -> TLSPolicy {
        TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])
    }

    private func greeting(_ connection: any MailConnection) async throws -> String {
        String(decoding: try await BufferedReader(connection: connection).readLine(), as: UTF8.self)
    }

    @Test("implicit TLS to Dovecot with the bench CA succeeds and shows the bench certificate")
    func implicitTLS() async throws {
        let bench = try TestbedEnvironment.required()
        let connection = try await SocketConnector().connect(
            to: Endpoint(host: bench.host, port: bench.pop3sPort, security: .tls), tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        defer { connection.close() }
        #expect(try await greeting(connection).hasPrefix("+OK"))
        #expect(connection.isSecure)
        #expect(connection.peerCertificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
    }

    @Test("implicit TLS by host name (localhost) verifies the name")
    func byName() async throws {
        let bench = try TestbedEnvironment.required()
        let connection = try await SocketConnector().connect(
            to: Endpoint(host: "localhost", port: bench.pop3sPort, security: .tls), tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        defer { connection.close() }
        #expect(try await greeting(connection).hasPrefix("+OK"))
    }

    @Test("without the bench CA the certificate is refused as untrusted, with its fingerprint")
    func untrusted() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(
                to: Endpoint(host: bench.host, port: bench.pop3sPort, security: .tls), tls: TLSPolicy(), timeouts: .all(.seconds(10)))
        }
        #expect(error?.code == .certificateUntrusted)
        #expect(error?.certificate?.fingerprint == CertificateFingerprint(bench.serverCertificateSHA256))
    }

    @Test("pinning the bench certificate's fingerprint trusts it without the CA")
    func pinned() async throws {
        let bench = try TestbedEnvironment.required()
        let fingerprint = try #require(CertificateFingerprint(bench.serverCertificateSHA256))
        let connection = try await SocketConnector().connect(
            to: Endpoint(host: bench.host, port: bench.pop3sPort, security: .tls),
            tls: TLSPolicy(trustsSystemRoots: false, pinnedFingerprints: [fingerprint]), timeouts: .all(.seconds(10)))
        defer { connection.close() }
        #expect(try await greeting(connection).hasPrefix("+OK"))
    }

    @Test("the wrong-host certificate is refused as a hostname mismatch")
    func wrongHost() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(
                to: Endpoint(host: bench.wrongHost.host, port: bench.wrongHost.port, security: .tls), tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        }
        #expect(error?.code == .certificateHostnameMismatch)
        #expect(error?.certificate?.subject.contains(bench.wrongHostName) == true)
    }

    @Test("the expired certificate is refused as expired")
    func expired() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(
                to: Endpoint(host: bench.expired.host, port: bench.expired.port, security: .tls), tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        }
        #expect(error?.code == .certificateExpired)
    }

    @Test("the self-signed certificate is refused as self-signed, and accepted when pinned")
    func selfSigned() async throws {
        let bench = try TestbedEnvironment.required()
        let endpoint = Endpoint(host: bench.selfSigned.host, port: bench.selfSigned.port, security: .tls)
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(to: endpoint, tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        }
        #expect(error?.code == .certificateSelfSigned)
        let fingerprint = try #require(CertificateFingerprint(bench.selfSignedSHA256))
        let connection = try await SocketConnector().connect(
            to: endpoint, tls: TLSPolicy(trustsSystemRoots: false, pinnedFingerprints: [fingerprint]), timeouts: .all(.seconds(10)))
        defer { connection.close() }
        #expect(try await greeting(connection).hasPrefix("+OK"))
    }

    @Test("STLS on the plain port upgrades the connection in place")
    func stls() async throws {
        let bench = try TestbedEnvironment.required()
        let connection = try await SocketConnector().connect(
            to: Endpoint(host: bench.host, port: bench.pop3Port, security: .startTLS), tls: benchPolicy(bench), timeouts: .all(.seconds(10)))
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self).hasPrefix("+OK"))
        try await connection.send(Array("STLS\r\n".utf8))
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self).hasPrefix("+OK"))
        try reader.requireEmptyBufferBeforeTLS()
        try await connection.startTLS(serverName: bench.host, policy: benchPolicy(bench))
        #expect(connection.isSecure)
        try await connection.send(Array("CAPA\r\n".utf8))
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self).hasPrefix("+OK"))
        let capabilities = String(decoding: try await reader.readDotTerminatedBlock(maximumSize: 4096), as: UTF8.self)
        #expect(capabilities.contains("PIPELINING"))
        #expect(!capabilities.contains("STLS"))
    }

    @Test("a port nobody listens on is refused")
    func refused() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(
                to: Endpoint(host: bench.refused.host, port: bench.refused.port, security: .tls), tls: .default, timeouts: .all(.seconds(10)))
        }
        #expect(error?.code == .connectionRefused)
    }

    @Test("a black-holed port times out on connect")
    func blackhole() async throws {
        let bench = try TestbedEnvironment.required()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(
                to: Endpoint(host: bench.blackhole.host, port: bench.blackhole.port, security: .tls), tls: .default,
                timeouts: Timeouts(connect: .milliseconds(500), read: .seconds(5), write: .seconds(5)))
        }
        #expect(error?.code == .timedOut)
    }
}
