import MailAuth
import MailTransport
import SMTPSender

extension SMTPMailSender {
    /// A sender for an account's outgoing server, signing in with the account's password.
    public init(
        settings: ServerSettings, secret: String, tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(), allowInsecureAuthentication: Bool = false
    ) {
        self.init(
            endpoint: settings.endpoint, credentials: Credentials(user: settings.user, secret: .password(secret)),
            tlsPolicy: tlsPolicy, timeouts: timeouts, connector: connector,
            configuration: .init(allowInsecureCleartextAuthentication: allowInsecureAuthentication))
    }
}
