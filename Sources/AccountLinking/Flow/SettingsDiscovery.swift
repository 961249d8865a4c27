import AutoDiscovery
import MailMessage
import MailTransport

/// Server settings found for an address, ready for ``AccountLinker``.
public struct DiscoveredAccountSettings: Sendable, Hashable {
    /// The POP3 server.
    public var incoming: ServerSettings
    /// The outgoing server, when one was found.
    public var outgoing: ServerSettings?
    /// Where the settings came from, for a person to judge (`bundled table (gmail.com)`, …).
    public var origin: String
    /// Why the user should confirm them before a password is sent (DNS-derived, autoconfig over
    /// plain HTTP, guessed, or a host outside the address's domain); empty when they may be used at once.
    public var confirmationReasons: [String]
    /// What the provider's entry says (app password, OAuth only, where to switch POP on).
    public var hints: ProviderHints

    /// Settings found by some means.
    public init(
        incoming: ServerSettings, outgoing: ServerSettings?, origin: String, confirmationReasons: [String] = [],
        hints: ProviderHints = .none
    ) {
        self.incoming = incoming
        self.outgoing = outgoing
        self.origin = origin
        self.confirmationReasons = confirmationReasons
        self.hints = hints
    }

    /// Whether the user must approve them before a password is sent: true for settings from DNS,
    /// HTTP autoconfig without TLS or guessing; false for the bundled table and HTTPS autoconfig
    /// of the address's own domain.
    public var requiresConfirmation: Bool { !confirmationReasons.isEmpty }
}

/// AutoDiscovery as the linker's ``AccountLinker/Configuration/discover`` step.
public enum SettingsDiscovery {
    /// A discover step that asks `discoverer`; the provider's hints (POP not offered, app password
    /// needed, where to enable POP) become the diagnosis when no POP3 server fits.
    public static func using(
        _ discoverer: AutoDiscoverer
    ) -> @Sendable (EmailAddress) async throws -> DiscoveredAccountSettings {
        { address in
            let result: DiscoveryResult
            do {
                result = try await discoverer.settings(for: address.description)
            } catch let error as DiscoveryError {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .discovery, summary: error.description, suggestion: error.recoverySuggestion))
            }
            guard let pop3 = result.pop3 else {
                throw LinkDiagnosisError(ProviderAdvice(result.hints).noPOP3(
                    provider: result.displayName ?? result.address.domain))
            }
            return DiscoveredAccountSettings(
                incoming: ServerSettings(host: pop3.host, port: pop3.port, security: pop3.security, user: pop3.username),
                outgoing: result.smtp.map {
                    ServerSettings(host: $0.host, port: $0.port, security: $0.security, user: $0.username)
                },
                origin: "\(result.source) (\(result.origin))", confirmationReasons: result.confirmationReasons,
                hints: result.hints)
        }
    }

    /// The bundled table's hints for an address's domain, `.none` when the provider is unknown.
    public static func bundledHints(for address: EmailAddress) -> ProviderHints {
        ProviderTable.bundled.provider(forDomain: address.asciiDomain)?.hints ?? .none
    }

    /// The shortest time between POP3 checks the bundled table gives for the address's provider
    /// (web.de asks for 15 minutes), or nil.
    public static func bundledMinimumCheckInterval(for address: EmailAddress) -> Duration? {
        ProviderTable.bundled.provider(forDomain: address.asciiDomain)?.incoming
            .filter { $0.mailProtocol == .pop3 }.compactMap(\.minimumPollInterval).max()
    }
}
