import MailAuth
import MailTransport
import POP3Protocol
import SMTPSender
import Synchronization

/// The troubleshooting checklist: each step of reaching a mailbox tested on its own, so a person
/// sees which one fails (DNS, TCP, TLS, greeting, STLS, login, POP access; then the same for the
/// outgoing server) with the server's words and what to try.
public struct ConnectionCheck: Sendable {
    /// One step's outcome.
    public struct Step: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        /// Whether the step passed; false for a failed or a skipped step.
        public var passed: Bool
        public var detail: String
        /// Whether the step was not attempted (sign-in without a secret): neither passed nor failed.
        public var skipped = false

        /// `PASS name: detail`, `FAIL name: detail` or `SKIP name: detail`.
        public var description: String { "\(skipped ? "SKIP" : passed ? "PASS" : "FAIL") \(name): \(detail)" }
    }

    public var incoming: ServerSettings
    public var outgoing: ServerSettings?
    public var tlsPolicy: TLSPolicy
    public var timeouts: Timeouts
    public var connector: any MailConnector
    public var allowInsecureAuthentication: Bool
    /// The protocol of ``incoming`` (POP3 unless set): the IMAP checklist is in `ConnectionCheck+IMAP.swift`.
    public var incomingProtocol: IncomingProtocol = .pop3

    public init(
        incoming: ServerSettings, outgoing: ServerSettings? = nil, tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .all(.seconds(15)), connector: any MailConnector = SocketConnector(),
        allowInsecureAuthentication: Bool = false
    ) {
        self.incoming = incoming
        self.outgoing = outgoing
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
        self.connector = connector
        self.allowInsecureAuthentication = allowInsecureAuthentication
    }

    /// Runs every step, reporting each as it finishes; stops at the first failure of a server.
    ///
    /// Without a `secret` (a roll-out row whose password is not known yet), every step up to
    /// sign-in runs and the sign-in steps are reported as skipped: no sign-in is attempted, so
    /// nothing counts towards a provider's lockout of failed logins.
    /// - Returns: nil when every step attempted passed, else the diagnosis of the first failure.
    public func run(secret: Credentials.Secret?, report: @Sendable (Step) -> Void) async -> LinkDiagnosis? {
        if let failure = await checkIncoming(secret: secret, report: report) { return failure }
        if let outgoing { return await checkOutgoing(outgoing, secret: secret, report: report) }
        return nil
    }

    /// Runs every step as ``run(secret:report:)`` does and returns them all with the diagnosis.
    public func run(secret: Credentials.Secret?) async -> (steps: [Step], diagnosis: LinkDiagnosis?) {
        let steps = Mutex<[Step]>([])
        let diagnosis = await run(secret: secret) { step in steps.withLock { $0.append(step) } }
        return (steps.withLock { $0 }, diagnosis)
    }

    /// Sessions open as linking, sync and sending open them.
    var opener: SessionOpener {
        SessionOpener(
            connector: connector, tlsPolicy: tlsPolicy, timeouts: timeouts,
            allowsInsecureAuthentication: allowInsecureAuthentication)
    }

    func skipSignIn(_ label: String, user: String, report: (Step) -> Void) {
        report(Step(name: "\(label) login", passed: false, detail: "not attempted: no password given for \(user)", skipped: true))
    }

    func fail(_ name: String, _ error: any Error, report: (Step) -> Void) -> LinkDiagnosis {
        let diagnosis = LinkDiagnosis(error)
        report(Step(name: name, passed: false, detail: diagnosis.summary))
        return diagnosis
    }

    /// DNS and TCP, shared by both servers. Only for the real socket connector: a test connector
    /// has no addresses to resolve.
    func checkReachable(_ settings: ServerSettings, label: String, report: (Step) -> Void) async -> LinkDiagnosis? {
        guard connector is SocketConnector else { return nil }
        do {
            let addresses = try await SocketConnector.addresses(of: settings.host, port: settings.port, timeout: timeouts.connect)
            report(Step(name: "\(label) DNS", passed: true, detail: "\(settings.host) is \(addresses.joined(separator: ", "))"))
        } catch {
            return fail("\(label) DNS", error, report: report)
        }
        do {
            var plain = settings.endpoint
            plain.security = .insecurePlaintext
            let connection = try await connector.connect(to: plain, tls: tlsPolicy, timeouts: timeouts)
            connection.close()
            report(Step(name: "\(label) TCP connect", passed: true, detail: "port \(settings.port) accepts connections"))
        } catch {
            return fail("\(label) TCP connect", error, report: report)
        }
        return nil
    }

    private func checkIncoming(secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if incomingProtocol == .imap { return await checkIncomingIMAP(secret: secret, report: report) }
        if let failure = await checkReachable(incoming, label: "POP3", report: report) { return failure }
        let client: POP3Client
        do {
            client = try await opener.connectPOP3(incoming)
        } catch {
            let name = incoming.endpoint.security == .insecurePlaintext ? "POP3 greeting" : "POP3 TLS and greeting"
            return fail(name, error, report: report)
        }
        var unencrypted: LinkDiagnosis?
        if client.isSecure {
            let certificate = client.peerCertificate.map { "\($0.subject), SHA-256 \($0.fingerprint)" } ?? "verified"
            report(Step(name: "POP3 TLS", passed: true, detail: "certificate \(certificate)"))
        } else {
            let detail = "not encrypted: passwords would cross the network in the clear"
            report(Step(name: "POP3 TLS", passed: false, detail: detail))
            // A failed step must fail the whole check even when later steps pass.
            unencrypted = LinkDiagnosis(
                stage: .tls, summary: detail,
                suggestion: "Use port 995 with TLS, or port 110 with STLS (RFC 8314 section 3.3, RFC 2595 section 4).")
        }
        let capabilities = await client.capabilities
        let greeting = await client.greeting.text
        report(Step(
            name: "POP3 greeting", passed: true,
            detail: "\(greeting)\(capabilities.isKnown ? "; capabilities: \(capabilities.entries.keys.sorted().joined(separator: " "))" : "")"))
        guard let secret else {
            skipSignIn("POP3", user: incoming.user, report: report)
            _ = try? await client.quit()
            return unencrypted
        }
        do {
            try await opener.signIn(client, incoming, secret: secret)
        } catch {
            return fail("POP3 login", error, report: report)
        }
        report(Step(name: "POP3 login", passed: true, detail: "signed in as \(incoming.user)"))
        do {
            let status = try await client.stat()
            report(Step(name: "POP3 mailbox", passed: true, detail: "\(status.messageCount) messages, \(status.totalSize) bytes; UIDL \(capabilities.uidl || !capabilities.isKnown ? "available" : "not advertised")"))
            try await client.quit()
        } catch {
            await client.close()
            return fail("POP3 mailbox", error, report: report)
        }
        return unencrypted
    }

    private func checkOutgoing(_ settings: ServerSettings, secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if let failure = await checkReachable(settings, label: "SMTP", report: report) { return failure }
        do {
            let client = try await opener.connectSMTP(settings)
            let capabilities = await client.capabilities
            report(Step(
                name: "SMTP greeting", passed: true,
                detail: "\(capabilities.greeting); AUTH \(capabilities.authenticationMechanisms.joined(separator: " "))"))
            guard let secret else {
                skipSignIn("SMTP", user: settings.user, report: report)
                try? await client.quit()
                return nil
            }
            do {
                try await client.authenticate(Credentials(user: settings.user, secret: secret))
                report(Step(name: "SMTP login", passed: true, detail: "signed in as \(settings.user)"))
                try? await client.quit()
            } catch {
                await client.close()
                return fail("SMTP login", error, report: report)
            }
        } catch {
            return fail("SMTP TLS and greeting", error, report: report)
        }
        return nil
    }
}
