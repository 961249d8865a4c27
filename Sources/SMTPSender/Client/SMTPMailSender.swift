import MailAuth
import MailTransport

/// A ``MailSending`` that opens a fresh SMTP session for every message: connect, EHLO,
/// STARTTLS when asked, AUTH, send, QUIT.
///
/// Right for occasional mail (a confirmation message, "send as" from a linked address) where
/// keeping a connection open is not worth it. To send many messages, keep one ``SMTPClient``
/// and call ``SMTPClient/send(envelope:message:)`` repeatedly instead.
///
/// ```swift
/// let sender = SMTPMailSender(endpoint: Endpoint(host: "smtp.example.com", port: 465, security: .tls),
///                             credentials: Credentials(user: "alice@example.com", secret: .password("app-password")))
/// try await sender.send(outgoingMessage)
/// ```
public struct SMTPMailSender: MailSending {
    /// Where the submission server listens.
    public var endpoint: Endpoint
    /// Who to authenticate as; nil to send without AUTH (a relay that trusts the network).
    public var credentials: Credentials?
    /// How the server's certificate is checked.
    public var tlsPolicy: TLSPolicy
    /// Time limits for each connection.
    public var timeouts: Timeouts
    /// Opens the connections (the default uses real sockets).
    public var connector: any MailConnector
    /// Session settings.
    public var configuration: SMTPClient.Configuration

    /// A sender for `endpoint`.
    public init(
        endpoint: Endpoint, credentials: Credentials? = nil, tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .default, connector: any MailConnector = SocketConnector(),
        configuration: SMTPClient.Configuration = SMTPClient.Configuration()
    ) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
        self.connector = connector
        self.configuration = configuration
    }

    /// Connects, sends `message`, and ends the session.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        let client = try await SMTPClient.connect(
            to: endpoint, credentials: credentials, tlsPolicy: tlsPolicy, timeouts: timeouts, connector: connector,
            configuration: configuration)
        do {
            let result = try await client.send(envelope: envelope, message: message)
            // The message is accepted once the final reply came; a failed QUIT does not undo it.
            try? await client.quit()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
