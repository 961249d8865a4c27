import IMAPProtocol
import MailTransport
import POP3Protocol
import SMTPSender

/// The default ``ServerProbe``: the package's own POP3, IMAP and SMTP clients over a
/// ``MailConnector``, each only as far as its greeting and capabilities.
///
/// No authentication, ever. POP3 (RFC 1939, 2449, 2595):
/// ```
/// S: +OK ready                         (greeting must start with +OK)
/// C: CAPA          S: +OK … STLS … .   (STARTTLS candidates: STLS must be offered)
/// C: STLS          S: +OK              (then the TLS handshake, certificate verified)
/// C: CAPA          S: +OK … SASL PLAIN … .
/// C: QUIT
/// ```
/// IMAP (RFC 9051 §7.1, §6.2.1): greeting `* OK` (or `* PREAUTH`), `CAPABILITY`, `STARTTLS` +
/// handshake and `CAPABILITY` again when the candidate says so, `LOGOUT`.
/// SMTP (RFC 5321, 3207): greeting `220`, `EHLO`, `STARTTLS` + handshake when the candidate
/// says so, `EHLO` again after TLS, `QUIT`. Implicit-TLS candidates are handshaken by the
/// connector before the greeting. Unlike Thunderbird's guesser, the greeting
/// is validated, STARTTLS is really performed and capabilities are read after TLS: by the same
/// clients that later sign in, so a server the probe accepts is one they can speak to.
public struct MailServerProbe: ServerProbe {
    /// Opens connections.
    public var connector: any MailConnector
    /// Certificate trust (system roots by default; the bench's CA in interop tests).
    public var tlsPolicy: TLSPolicy
    /// Connect and read limits for one probe (5 s each).
    public var timeouts: Timeouts

    /// A probe.
    public init(
        connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .all(.seconds(5))
    ) {
        self.connector = connector
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
    }

    /// Runs the dialogue for `candidate`.
    public func probe(_ candidate: ProbeCandidate) async -> ProbeOutcome {
        var policy = tlsPolicy
        if !candidate.addresses.isEmpty, policy.serverNameOverride == nil {
            policy.serverNameOverride = candidate.host
        }
        var failure: DiscoveryError?
        for address in candidate.addresses.isEmpty ? [candidate.host] : candidate.addresses {
            let endpoint = Endpoint(host: address, port: candidate.port, security: candidate.security)
            do {
                return .success(capabilities: try await dialogue(candidate, endpoint, policy))
            } catch let error as TransportError
                where [.connectionRefused, .unreachable, .timedOut].contains(error.code)
            {
                failure = Self.describe(error, candidate)  // the next address may answer
            } catch {
                return .failure(Self.describe(error, candidate))
            }
        }
        return .failure(failure ?? DiscoveryError(.network, "\(candidate): no address"))
    }

    /// Greeting, capabilities and (for STARTTLS candidates) the upgrade, by the POP3, IMAP or SMTP
    /// client itself; then a polite goodbye. Nothing here signs in.
    private func dialogue(_ candidate: ProbeCandidate, _ endpoint: Endpoint, _ policy: TLSPolicy) async throws -> [String] {
        switch candidate.mailProtocol {
        case .pop3:
            let client = try await POP3Client.connect(to: endpoint, tls: policy, timeouts: timeouts, connector: connector)
            let capabilities = await client.capabilities
            _ = try? await client.quit()
            // `SASL PLAIN CRAM-MD5`: each CAPA line as the server sent it (RFC 2449 §5), upper case.
            return capabilities.entries.sorted { $0.key < $1.key }.map { ([$0.key] + $0.value).joined(separator: " ").uppercased() }
        case .imap:
            let client = try await IMAPClient.connect(to: endpoint, tls: policy, timeouts: timeouts, connector: connector)
            let capabilities = await client.capabilities
            try? await client.logout()
            // `AUTH=PLAIN` read as `PLAIN`, the way POP3's `SASL PLAIN` is.
            return capabilities.names.sorted().map { $0.hasPrefix("AUTH=") ? String($0.dropFirst(5)) : $0 }
        case .smtp:
            let client = try await SMTPClient.connect(to: endpoint, tlsPolicy: policy, timeouts: timeouts, connector: connector)
            let capabilities = await client.capabilities
            try? await client.quit()
            // `AUTH PLAIN LOGIN`: each EHLO keyword with its parameters (RFC 5321 §4.1.1.1), upper case.
            return capabilities.extensions.sorted { $0.key < $1.key }.map { ([$0.key] + $0.value).joined(separator: " ").uppercased() }
        }
    }

    /// A probe failure in discovery's terms, keeping the transport's words (certificate reason).
    static func describe(_ error: any Error, _ candidate: ProbeCandidate) -> DiscoveryError {
        if let error = error as? DiscoveryError { return error }
        if let error = error as? TransportError {
            if error.isCertificateFailure, let certificate = error.certificate {
                return DiscoveryError(
                    .certificateRejected,
                    "\(candidate): \(error.code): \(error.detail); certificate SHA-256 \(certificate.fingerprint)")
            }
            let code: DiscoveryError.Code = error.code == .timedOut ? .timedOut : .network
            return DiscoveryError(code, "\(candidate): \(error.code)\(error.detail.isEmpty ? "" : ": " + error.detail)")
        }
        if let error = error as? POP3Error {
            return DiscoveryError(.noConfigurationFound, "\(candidate): \(words(error.code.rawValue, error.detail, error.serverText))")
        }
        if let error = error as? IMAPError {
            return DiscoveryError(.noConfigurationFound, "\(candidate): \(words(error.code.rawValue, error.detail, error.serverText))")
        }
        if let error = error as? SMTPError {
            return DiscoveryError(
                .noConfigurationFound, "\(candidate): \(words(error.code.description, error.detail, error.reply?.description))")
        }
        return DiscoveryError(.network, "\(candidate): \(error)")
    }

    /// `what: detail; server said: text`, without the errors' debug descriptions.
    private static func words(_ what: String, _ detail: String, _ serverText: String?) -> String {
        var text = detail.isEmpty ? what : "\(what): \(detail)"
        if let serverText, !serverText.isEmpty { text += "; server said: \(serverText.prefix(120))" }
        return text
    }
}
