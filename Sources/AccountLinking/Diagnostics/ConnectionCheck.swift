import IMAPProtocol
import MailAuth
import MailTransport
import POP3Protocol
import SMTPSender
import Synchronization

/// The troubleshooting checklist: each step of reaching a mailbox tested on its own, so a person
/// sees which one fails (DNS, TCP, TLS, greeting, STLS, login, POP access; then the same for the
/// outgoing server, ending with a dry run of a send as the address: MAIL FROM and RCPT TO, then
/// RSET, nothing sent) with the server's words and what to try.
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
    /// The address the outgoing server's dry run sends as (MAIL FROM and RCPT TO, then RSET);
    /// nil uses the outgoing user name when it is an address.
    public var sendingAs: String?
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

    /// The TLS step of an incoming session: the certificate when encrypted; otherwise a failed
    /// step and the diagnosis to return, since a failed step must fail the whole check even when
    /// later steps pass.
    func reportTLS(
        _ label: String, isSecure: Bool, certificate: CertificateSummary?, suggestion: String, report: (Step) -> Void
    ) -> LinkDiagnosis? {
        if isSecure {
            let summary = certificate.map { "verified certificate \($0)" } ?? "verified certificate"
            report(Step(name: "\(label) TLS", passed: true, detail: summary))
            return nil
        }
        let detail = "not encrypted: passwords would cross the network in the clear"
        report(Step(name: "\(label) TLS", passed: false, detail: detail))
        return LinkDiagnosis(stage: .tls, summary: detail, suggestion: suggestion)
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
            var diagnosis = LinkDiagnosis(error)
            diagnosis.summary = Self.connectFailure(error, port: settings.port, within: timeouts.connect) ?? diagnosis.summary
            report(Step(name: "\(label) TCP connect", passed: false, detail: diagnosis.summary))
            return diagnosis
        }
        return nil
    }

    /// What a failed TCP connect tells: a refusal (the host answers, nothing listens: a wrong port
    /// or a stopped service) from silence (packets dropped: a firewall, or the host is down) and
    /// from a reset right after connecting (something in between cuts the connection).
    static func connectFailure(_ error: any Error, port: Int, within timeout: Duration) -> String? {
        guard let error = error as? TransportError else { return nil }
        switch error.code {
        case .connectionRefused:
            return "refused: the host answers, but nothing listens on port \(port) (a wrong port, or the service is off)"
        case .timedOut, .unreachable:
            return "no answer within \(timeout.components.seconds) s: packets to port \(port) are dropped or the host is down (a firewall that drops them looks like this)"
        case .closedByPeer:
            return "reset right after connecting: something between here and the server cuts connections to port \(port)"
        default:
            return nil
        }
    }

    /// The other standard port of a protocol's pair (RFC 8314 §3.3: 995 with TLS or 110 with
    /// STLS; 993 with TLS or 143 with STARTTLS; 465 with TLS or 587 with STARTTLS), or nil when
    /// `settings` uses neither.
    static func otherStandardPort(of settings: ServerSettings, label: String) -> ServerSettings? {
        var other = settings
        switch (label, settings.port) {
        case ("POP3", 995): (other.port, other.security) = (110, .startTLS)
        case ("POP3", 110): (other.port, other.security) = (995, .tls)
        case ("IMAP", 993): (other.port, other.security) = (143, .startTLS)
        case ("IMAP", 143): (other.port, other.security) = (993, .tls)
        case ("SMTP", 465): (other.port, other.security) = (587, .startTLS)
        case ("SMTP", 587): (other.port, other.security) = (465, .tls)
        default: return nil
        }
        return other
    }

    /// After a failed connect or TLS on one standard port (any other failure is returned as it
    /// is), tries the other one without any
    /// credentials (a greeting, and TLS as that port does it) and says whether it works: the
    /// safe replacement for "turn SSL off and see", which would send the password in the clear.
    func tryOtherPort(
        _ settings: ServerSettings, label: String, diagnosis: LinkDiagnosis, report: (Step) -> Void
    ) async -> LinkDiagnosis {
        guard [.tls, .connection, .timeout].contains(diagnosis.stage),
            let other = Self.otherStandardPort(of: settings, label: label)
        else { return diagnosis }
        let how = "port \(other.port) with \(other.security == .tls ? "TLS" : label == "POP3" ? "STLS" : "STARTTLS")"
        do {
            if label == "POP3" {
                let client = try await opener.connectPOP3(other)
                _ = try? await client.quit()
            } else if label == "IMAP" {
                let client = try await opener.connectIMAP(other)
                try? await client.logout()
            } else {
                let client = try await opener.connectSMTP(other)
                try? await client.quit()
            }
        } catch {
            report(Step(name: "\(label) \(how)", passed: false, detail: "does not work either: \(LinkDiagnosis(error).summary)"))
            return diagnosis
        }
        report(Step(name: "\(label) \(how)", passed: true, detail: "answers with a verified TLS connection (no password was sent)"))
        var refined = diagnosis
        refined.suggestion = "\(settings.host) works on \(how): use that instead of port \(settings.port). " + diagnosis.suggestion
        return refined
    }

    private func checkIncoming(secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if incomingProtocol == .imap { return await checkIncomingIMAP(secret: secret, report: report) }
        if let failure = await checkReachable(incoming, label: "POP3", report: report) {
            return await tryOtherPort(incoming, label: "POP3", diagnosis: failure, report: report)
        }
        let client: POP3Client
        do {
            client = try await opener.connectPOP3(incoming)
        } catch {
            let name = incoming.endpoint.security == .insecurePlaintext ? "POP3 greeting" : "POP3 TLS and greeting"
            return await tryOtherPort(incoming, label: "POP3", diagnosis: fail(name, error, report: report), report: report)
        }
        let unencrypted = reportTLS(
            "POP3", isSecure: client.isSecure, certificate: client.peerCertificate,
            suggestion: "Use port 995 with TLS, or port 110 with STLS (RFC 8314 section 3.3, RFC 2595 section 4).",
            report: report)
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

    /// The address a send is tried as: ``sendingAs``, else the outgoing user name when it is an
    /// address, else none (the step is skipped).
    private var dryRunAddress: String? {
        sendingAs ?? outgoing.flatMap { $0.user.contains("@") ? $0.user : nil }
    }

    /// A dry run of a send as the address to itself (MAIL FROM, RCPT TO, then RSET: nothing is
    /// sent), so a server that lets the user sign in but not send as this address says so now.
    private func checkSendingAs(_ client: SMTPClient, report: (Step) -> Void) async -> LinkDiagnosis? {
        guard let address = dryRunAddress else {
            report(Step(name: "SMTP send as", passed: false, detail: "not tried: no address to send as", skipped: true))
            return nil
        }
        do {
            let envelope = try SMTPEnvelope(from: address, to: [address])
            let outcomes = try await client.dryRun(envelope: envelope)
            let reply = outcomes.first.map { "\($0.reply.code) \($0.reply.text)" } ?? ""
            report(Step(
                name: "SMTP send as", passed: true,
                detail: "the server would take mail from \(address) (\(reply)); nothing was sent"))
            return nil
        } catch {
            await client.close()
            return fail("SMTP send as", error, report: report)
        }
    }

    private func checkOutgoing(_ settings: ServerSettings, secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if let failure = await checkReachable(settings, label: "SMTP", report: report) {
            return await tryOtherPort(settings, label: "SMTP", diagnosis: failure, report: report)
        }
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
            } catch {
                await client.close()
                return fail("SMTP login", error, report: report)
            }
            if let failure = await checkSendingAs(client, report: report) { return failure }
            try? await client.quit()
        } catch {
            let failure = fail("SMTP TLS and greeting", error, report: report)
            return await tryOtherPort(settings, label: "SMTP", diagnosis: failure, report: report)
        }
        return nil
    }
}
