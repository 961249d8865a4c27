import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension DiscoveryResult {
    /// Human-readable lines for `linkmail discover`: one per server (best first), the incoming
    /// server linking would use (``preferredIncoming``), then the source, trust, confirmation
    /// and hints.
    ///
    /// ```
    /// incoming pop3 pop.gmail.com:995 tls user someone@gmail.com auth OAuth2,password-cleartext
    /// incoming imap imap.gmail.com:993 tls user someone@gmail.com auth OAuth2,password-cleartext
    /// outgoing smtp smtp.gmail.com:465 tls user someone@gmail.com auth OAuth2,password-cleartext
    /// links over imap imap.gmail.com:993 tls (IMAP when offered, else POP3)
    /// source bundled (bundled table (gmail.com)), trust high, no confirmation needed
    /// hint: a normal password is refused; create an app password: https://myaccount.google.com/apppasswords
    /// ```
    public var textLines: [String] {
        func line(_ kind: String, _ server: DiscoveredServer) -> String {
            var text =
                "\(kind) \(server.mailProtocol.rawValue) \(server.endpoint) \(server.security.rawValue) user \(server.username)"
            text += " auth " + server.authentication.map(\.rawValue).joined(separator: ",")
            if let interval = server.minimumPollInterval { text += " min-poll \(interval.components.seconds)s" }
            return text
        }
        var lines = incoming.map { line("incoming", $0) } + outgoing.map { line("outgoing", $0) }
        if let chosen = preferredIncoming {
            lines.append(
                "links over \(chosen.mailProtocol.rawValue) \(chosen.endpoint) \(chosen.security.rawValue)"
                    + " (IMAP when offered, else POP3)")
        } else {
            lines.append("links over nothing: no POP3 or IMAP server was found")
        }
        var summary = "source \(source.rawValue) (\(origin)), trust \(trust.rawValue), "
        summary +=
            requiresConfirmation
            ? "confirm before use: " + confirmationReasons.joined(separator: "; ") : "no confirmation needed"
        lines.append(summary)
        if !serverDomains.isEmpty { lines.append("server domains: " + serverDomains.joined(separator: ", ")) }
        if hints.popUnavailable {
            let fallback = imap == nil ? "" : " (it links over IMAP)"
            lines.append("hint: this provider offers no POP3" + fallback + (hints.note.map { ": \($0)" } ?? ""))
        }
        if hints.requiresOAuth { lines.append("hint: only OAuth 2.0 sign-in works") }
        if hints.requiresAppPassword {
            lines.append(
                "hint: a normal password is refused; create an app password"
                    + (hints.appPasswordURL.map { ": \($0)" } ?? ""))
        }
        if let url = hints.enableURL { lines.append("hint: enable POP access first: \(url)") }
        if let note = hints.note, !hints.popUnavailable { lines.append("note: \(note)") }
        return lines
    }

    /// The result as one JSON object (sorted keys), for `linkmail discover --json`, with the
    /// server linking would use under `preferredIncoming` (absent when there is none); decoding
    /// it as a ``DiscoveryResult`` ignores that key.
    public func json(prettyPrinted: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            prettyPrinted
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Presented(result: self)), as: UTF8.self)
    }

    /// The stored keys and `preferredIncoming`, in one object.
    private struct Presented: Encodable {
        enum Key: String, CodingKey { case preferredIncoming }
        let result: DiscoveryResult

        func encode(to encoder: any Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(result.preferredIncoming, forKey: .preferredIncoming)
        }
    }
}

extension DiscoveryEvent: CustomStringConvertible {
    /// One progress line (`checking ispdb https://…`, `probing pop.example.com:995 tls`).
    public var description: String {
        switch self {
        case .started(let address): return "discovering settings for \(address)"
        case .checking(let source, let target): return "checking \(source.rawValue) \(target)"
        case .sourceFailed(let source, let target, let error):
            return "\(source.rawValue) \(target): \(error.code) \(error.detail)"
        case .probing(let host, let port, let security): return "probing \(host):\(port) \(security)"
        case .probed(let host, let port, let succeeded, let detail):
            return succeeded ? "probed \(host):\(port): ok" : "probed \(host):\(port): \(detail)"
        case .found(let result):
            let server = result.preferredIncoming.map { "\($0.mailProtocol.rawValue) \($0.endpoint)" }
            return "found \(server ?? "no POP3 or IMAP server") from \(result.source.rawValue)"
        }
    }
}
