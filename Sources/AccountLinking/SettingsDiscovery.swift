import AutoDiscovery
import MailTransport

/// Server settings found for an address, ready for ``AccountLinker``.
public struct DiscoveredAccountSettings: Sendable, Hashable {
    /// The POP3 server.
    public var incoming: ServerSettings
    /// The outgoing server, when one was found.
    public var outgoing: ServerSettings?
    /// Where the settings came from, for a person to judge (`bundled table (gmail.com)`, …).
    public var origin: String
    /// Whether the user should confirm them before a password is sent (DNS-derived, guessed,
    /// or a host outside the address's domain).
    public var requiresConfirmation: Bool

    public init(incoming: ServerSettings, outgoing: ServerSettings?, origin: String, requiresConfirmation: Bool) {
        self.incoming = incoming
        self.outgoing = outgoing
        self.origin = origin
        self.requiresConfirmation = requiresConfirmation
    }
}

/// AutoDiscovery as the linker's ``AccountLinker/Configuration/discover`` step.
public enum SettingsDiscovery {
    /// A discover step that asks `discoverer`; the provider's hints (POP not offered, app password
    /// needed, where to enable POP) become the diagnosis when no POP3 server fits.
    public static func using(_ discoverer: AutoDiscoverer) -> @Sendable (String) async throws -> DiscoveredAccountSettings {
        { address in
            let result: DiscoveryResult
            do {
                result = try await discoverer.settings(for: address)
            } catch let error as DiscoveryError {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .other, summary: error.description, suggestion: error.recoverySuggestion))
            }
            guard let pop3 = result.pop3 else {
                var suggestion = "This provider offers no POP3 access; only IMAP, which MailLink does not link."
                if let note = result.hints.note { suggestion += " " + note }
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .popDisabled, summary: "\(result.displayName ?? result.address.domain) offers no POP3",
                    suggestion: suggestion))
            }
            return DiscoveredAccountSettings(
                incoming: ServerSettings(host: pop3.host, port: pop3.port, security: pop3.security, user: pop3.username),
                outgoing: result.smtp.map {
                    ServerSettings(host: $0.host, port: $0.port, security: $0.security, user: $0.username)
                },
                origin: "\(result.source) (\(result.origin))", requiresConfirmation: result.requiresConfirmation)
        }
    }
}
