import IMAPProtocol
import MailAuth
import MailTransport
import POP3Protocol
import SMTPSender

/// The one place that opens a signed-in session to an account's server: connect, TLS as the
/// account's policy says, sign in with its secret, and close again when anything fails. Linking,
/// sync, the checklist and sending all go through it, so they cannot disagree on trust or timeouts.
public struct SessionOpener: Sendable {
    /// How connections are opened (a fake in tests).
    public var connector: any MailConnector
    /// The base TLS policy; each account's ``ConnectionPolicy`` adds to it.
    public var tlsPolicy: TLSPolicy
    /// The base timeouts; an account's policy may replace them.
    public var timeouts: Timeouts
    /// Allows passwords over unencrypted connections for every account (loopback tests only).
    public var allowsInsecureAuthentication: Bool
    /// Where progress lines go.
    public var logger: MailLogger

    /// An opener with these defaults.
    public init(
        connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .default, allowsInsecureAuthentication: Bool = false, logger: MailLogger = .none
    ) {
        self.connector = connector
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
        self.allowsInsecureAuthentication = allowsInsecureAuthentication
        self.logger = logger
    }

    /// The TLS policy for an account's connections.
    public func tlsPolicy(for policy: ConnectionPolicy) -> TLSPolicy { policy.tlsPolicy(over: tlsPolicy) }

    /// The timeouts for an account's connections.
    public func timeouts(for policy: ConnectionPolicy) -> Timeouts { policy.timeouts(over: timeouts) }

    private func allowsInsecure(_ policy: ConnectionPolicy) -> Bool {
        allowsInsecureAuthentication || policy.allowsInsecureAuthentication
    }

    /// Connects to a POP3 server (greeting, CAPA, STLS when asked); not signed in yet.
    public func connectPOP3(_ settings: ServerSettings, policy: ConnectionPolicy = .default) async throws -> POP3Client {
        logger.debug("connecting to \(settings.host):\(settings.port)", metadata: ["user": settings.user])
        return try await POP3Client.connect(
            to: settings.endpoint, tls: tlsPolicy(for: policy), timeouts: timeouts(for: policy), connector: connector)
    }

    /// Signs a connected POP3 client in, closing it when sign-in fails.
    public func signIn(
        _ client: POP3Client, _ settings: ServerSettings, secret: Credentials.Secret, policy: ConnectionPolicy = .default
    ) async throws {
        try await signingIn(at: settings, close: { await client.close() }) {
            try await client.authenticate(
                Credentials(user: settings.user, secret: secret), allowInsecureAuthentication: allowsInsecure(policy))
        }
    }

    /// Runs `authenticate`, logging the outcome; when it fails, closes the session and rethrows.
    private func signingIn(
        at settings: ServerSettings, close: () async -> Void, _ authenticate: () async throws -> Void
    ) async throws {
        do {
            try await authenticate()
            logger.debug("signed in at \(settings.host)", metadata: ["user": settings.user])
        } catch {
            await close()
            logger.info("sign-in at \(settings.host) failed", metadata: ["user": settings.user])
            throw error
        }
    }

    /// Connects and signs in to a POP3 server; the session is closed again when anything fails.
    public func openPOP3(
        _ settings: ServerSettings, secret: Credentials.Secret, policy: ConnectionPolicy = .default
    ) async throws -> POP3Client {
        let client = try await connectPOP3(settings, policy: policy)
        try await signIn(client, settings, secret: secret, policy: policy)
        return client
    }

    /// Connects to an IMAP server (greeting, CAPABILITY, STARTTLS when asked, capabilities asked
    /// again after TLS); not signed in yet.
    public func connectIMAP(_ settings: ServerSettings, policy: ConnectionPolicy = .default) async throws -> IMAPClient {
        logger.debug("connecting to \(settings.host):\(settings.port)", metadata: ["user": settings.user])
        return try await IMAPClient.connect(
            to: settings.endpoint, tls: tlsPolicy(for: policy), timeouts: timeouts(for: policy), connector: connector)
    }

    /// Signs a connected IMAP client in (AUTHENTICATE with the strongest mechanism offered, or
    /// LOGIN), closing it when sign-in fails. A PREAUTH session is already signed in.
    public func signIn(
        _ client: IMAPClient, _ settings: ServerSettings, secret: Credentials.Secret, policy: ConnectionPolicy = .default
    ) async throws {
        guard await !client.isAuthenticated else { return }
        try await signingIn(at: settings, close: { await client.close() }) {
            try await client.authenticate(
                Credentials(user: settings.user, secret: secret), allowInsecureAuthentication: allowsInsecure(policy))
        }
    }

    /// Connects and signs in to an IMAP server; the session is closed again when anything fails.
    public func openIMAP(
        _ settings: ServerSettings, secret: Credentials.Secret, policy: ConnectionPolicy = .default
    ) async throws -> IMAPClient {
        let client = try await connectIMAP(settings, policy: policy)
        try await signIn(client, settings, secret: secret, policy: policy)
        return client
    }

    /// Opens a signed-in session to an account's incoming server, as a source for ``MailboxSync``:
    /// ``POP3Mailbox`` or ``IMAPSyncMailbox`` by `protocol`. Returns it with a way to close it
    /// without ending the session cleanly (after a failure).
    public func openIncoming(
        _ settings: ServerSettings, protocol incoming: IncomingProtocol, imap: IMAPSourceOptions = IMAPSourceOptions(),
        secret: Credentials.Secret, policy: ConnectionPolicy = .default
    ) async throws -> (mailbox: any RemoteMailbox, close: @Sendable () async -> Void) {
        switch incoming {
        case .pop3:
            let client = try await openPOP3(settings, secret: secret, policy: policy)
            return (POP3Mailbox(client: client), { await client.close() })
        case .imap:
            let client = try await openIMAP(settings, secret: secret, policy: policy)
            let source = IMAPSyncMailbox(
                client: client, selection: imap.mailboxes, keepsSourceFolders: imap.keepsSourceFolders)
            return (source, { await client.close() })
        }
    }

    /// Connects to an outgoing server (greeting, EHLO, STARTTLS when asked); not signed in yet.
    public func connectSMTP(_ settings: ServerSettings, policy: ConnectionPolicy = .default) async throws -> SMTPClient {
        try await SMTPClient.connect(
            to: settings.endpoint, tlsPolicy: tlsPolicy(for: policy), timeouts: timeouts(for: policy), connector: connector,
            configuration: smtpConfiguration(policy))
    }

    /// Connects to an outgoing server and signs in with `secret` (nil: no AUTH); the session is
    /// closed again when anything fails.
    public func openSMTP(
        _ settings: ServerSettings, secret: Credentials.Secret?, policy: ConnectionPolicy = .default
    ) async throws -> SMTPClient {
        let client = try await connectSMTP(settings, policy: policy)
        guard let secret else { return client }
        try await signingIn(at: settings, close: { await client.close() }) {
            try await client.authenticate(Credentials(user: settings.user, secret: secret))
        }
        return client
    }

    private func smtpConfiguration(_ policy: ConnectionPolicy) -> SMTPClient.Configuration {
        .init(allowInsecureCleartextAuthentication: allowsInsecure(policy))
    }

    /// A sender through an outgoing server, signing in with `secret` (nil: no AUTH).
    public func smtpSender(
        _ settings: ServerSettings, secret: Credentials.Secret?, policy: ConnectionPolicy = .default
    ) -> SMTPMailSender {
        SMTPMailSender(
            endpoint: settings.endpoint, credentials: secret.map { Credentials(user: settings.user, secret: $0) },
            tlsPolicy: tlsPolicy(for: policy), timeouts: timeouts(for: policy), connector: connector,
            configuration: smtpConfiguration(policy))
    }
}
