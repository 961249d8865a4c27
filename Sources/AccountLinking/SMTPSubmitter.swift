import MailAuth
import MailTransport
import SMTPSender

/// A ``SMTPSender/MailSending`` that opens a fresh authenticated submission session for every
/// message and ends it afterwards: what a linker needs for occasional mail (confirmations,
/// sending as a linked address) without holding connections open.
public struct SMTPSubmitter: MailSending {
    public let settings: ServerSettings
    private let secret: String
    public let tlsPolicy: TLSPolicy
    public let timeouts: Timeouts
    public let connector: any MailConnector
    public let allowInsecureAuthentication: Bool

    public init(
        settings: ServerSettings, secret: String, tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(), allowInsecureAuthentication: Bool = false
    ) {
        self.settings = settings
        self.secret = secret
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
        self.connector = connector
        self.allowInsecureAuthentication = allowInsecureAuthentication
    }

    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        let client = try await SMTPClient.connect(
            to: settings.endpoint, credentials: Credentials(user: settings.user, secret: .password(secret)),
            tlsPolicy: tlsPolicy, timeouts: timeouts, connector: connector,
            configuration: .init(allowInsecureCleartextAuthentication: allowInsecureAuthentication))
        do {
            let result = try await client.send(envelope: envelope, message: message)
            try? await client.quit()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
