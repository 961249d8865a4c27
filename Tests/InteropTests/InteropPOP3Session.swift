import MailTesting
import MailTransport
import POP3Protocol
import TestbedSupport

/// How the POP3 interop suites reach the bench's Dovecot: the bench CA as the only trust, a
/// generous timeout, and a login as one bench user.
enum InteropPOP3Session {
    /// Trusts the bench CA only, so a passing test proves the real certificate check ran.
    static func policy(_ bench: TestbedEnvironment, serverName: String? = nil) -> TLSPolicy {
        TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile], serverNameOverride: serverName)
    }

    /// Every wait bounded; large enough for a 5 MB message on a loaded 2-core machine.
    static let timeouts = Timeouts.all(.seconds(30))

    /// Connects to Dovecot on the POP3S port (`.tls`) or the plain port (`.startTLS`, `.insecurePlaintext`).
    static func connect(
        _ bench: TestbedEnvironment,
        security: Endpoint.Security = .tls,
        host: String? = nil,
        connector: any MailConnector = SocketConnector(),
        configuration: POP3Client.Configuration = POP3Client.Configuration()
    ) async throws -> POP3Client {
        let port = security == .tls ? bench.pop3sPort : bench.pop3Port
        let host = host ?? bench.host
        // The bench certificate names 127.0.0.1 but not the strict host's address.
        let serverName = host == bench.host ? nil : "localhost"
        return try await POP3Client.connect(
            to: Endpoint(host: host, port: port, security: security), tls: policy(bench, serverName: serverName),
            timeouts: timeouts, connector: connector, configuration: configuration)
    }

    /// Connects over implicit TLS and logs in as `user` with the automatic method.
    static func login(
        _ bench: TestbedEnvironment, as user: TestbedUser, connector: any MailConnector = SocketConnector(),
        configuration: POP3Client.Configuration = POP3Client.Configuration()
    ) async throws -> POP3Client {
        let client = try await connect(bench, connector: connector, configuration: configuration)
        try await client.authenticate(username: user.address, password: user.password)
        return client
    }
}
