import IMAPProtocol
import MailAuth
import MailTransport

extension ConnectionCheck {
    /// The checklist's incoming steps for an IMAP server: DNS, TCP, TLS (or STARTTLS) and
    /// greeting, login, then INBOX's counters (STATUS, RFC 9051 §6.3.11) and whether IDLE is
    /// offered for push (RFC 2177).
    func checkIncomingIMAP(secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if let failure = await checkReachable(incoming, label: "IMAP", report: report) {
            return failure.stage == .connection || failure.stage == .timeout
                ? await tryOtherPort(incoming, label: "IMAP", diagnosis: failure, report: report) : failure
        }
        let client: IMAPClient
        do {
            client = try await opener.connectIMAP(incoming)
        } catch {
            let name = incoming.endpoint.security == .insecurePlaintext ? "IMAP greeting" : "IMAP TLS and greeting"
            let failure = fail(name, error, report: report)
            return [.tls, .connection, .timeout].contains(failure.stage)
                ? await tryOtherPort(incoming, label: "IMAP", diagnosis: failure, report: report) : failure
        }
        var unencrypted: LinkDiagnosis?
        if client.isSecure {
            let certificate = client.peerCertificate.map { "\($0.subject), SHA-256 \($0.fingerprint)" } ?? "verified"
            report(Step(name: "IMAP TLS", passed: true, detail: "certificate \(certificate)"))
        } else {
            let detail = "not encrypted: passwords would cross the network in the clear"
            report(Step(name: "IMAP TLS", passed: false, detail: detail))
            unencrypted = LinkDiagnosis(
                stage: .tls, summary: detail,
                suggestion:
                    "Use port 993 with TLS, or port 143 with STARTTLS (RFC 8314 section 3.3, RFC 9051 section 6.2.1).")
        }
        let greeting = await client.greeting.text
        let capabilities = await client.capabilities
        report(
            Step(
                name: "IMAP greeting", passed: true,
                detail: "\(greeting); capabilities: \(capabilities.names.sorted().joined(separator: " "))"))
        guard let secret else {
            skipSignIn("IMAP", user: incoming.user, report: report)
            try? await client.logout()
            return unencrypted
        }
        do {
            try await opener.signIn(client, incoming, secret: secret)
        } catch {
            return fail("IMAP login", error, report: report)
        }
        report(Step(name: "IMAP login", passed: true, detail: "signed in as \(incoming.user)"))
        do {
            let status = try await client.status(.inbox, items: [.messages, .uidValidity])
            let idle = await client.capabilities.idle ? "IDLE offered (push)" : "no IDLE (polling only)"
            report(
                Step(
                    name: "IMAP mailbox", passed: true,
                    detail:
                        "INBOX has \(status.messageCount ?? 0) messages, UIDVALIDITY \(status.uidValidity.map(String.init) ?? "none"); \(idle)"
                ))
            try await client.logout()
        } catch {
            await client.close()
            return fail("IMAP mailbox", error, report: report)
        }
        return unencrypted
    }
}
