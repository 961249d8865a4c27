import IMAPProtocol
import MailAuth
import MailTransport

extension ConnectionCheck {
    /// The checklist's incoming steps for an IMAP server: DNS, TCP, TLS (or STARTTLS) and
    /// greeting, login, then INBOX's counters (STATUS, RFC 9051 §6.3.11) and whether IDLE is
    /// offered for push (RFC 2177).
    func checkIncomingIMAP(secret: Credentials.Secret?, report: (Step) -> Void) async -> LinkDiagnosis? {
        if let failure = await checkReachable(incoming, label: "IMAP", report: report) {
            return await tryOtherPort(incoming, label: "IMAP", diagnosis: failure, report: report)
        }
        let client: IMAPClient
        do {
            client = try await opener.connectIMAP(incoming)
        } catch {
            let name = incoming.endpoint.security == .insecurePlaintext ? "IMAP greeting" : "IMAP TLS and greeting"
            return await tryOtherPort(incoming, label: "IMAP", diagnosis: fail(name, error, report: report), report: report)
        }
        let unencrypted = reportTLS(
            "IMAP", isSecure: client.isSecure, certificate: client.peerCertificate,
            suggestion: "Use port 993 with TLS, or port 143 with STARTTLS (RFC 8314 section 3.3, RFC 9051 section 6.2.1).",
            report: report)
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
