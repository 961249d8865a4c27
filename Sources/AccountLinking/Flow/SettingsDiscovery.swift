import AutoDiscovery
import MailMessage
import MailTransport

/// Server settings found for an address, ready for ``AccountLinker``.
public struct DiscoveredAccountSettings: Sendable, Hashable {
    /// The incoming server (of ``incomingProtocol``).
    public var incoming: ServerSettings
    /// The protocol of ``incoming``.
    public var incomingProtocol: IncomingProtocol
    /// The best POP3 server found, if any.
    public var pop3: ServerSettings?
    /// The best IMAP server found, if any.
    public var imap: ServerSettings?
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
        hints: ProviderHints = .none, incomingProtocol: IncomingProtocol = .pop3
    ) {
        self.incoming = incoming
        self.incomingProtocol = incomingProtocol
        pop3 = incomingProtocol == .pop3 ? incoming : nil
        imap = incomingProtocol == .imap ? incoming : nil
        self.outgoing = outgoing
        self.origin = origin
        self.confirmationReasons = confirmationReasons
        self.hints = hints
    }

    /// Whether the user must approve them before a password is sent: true for settings from DNS,
    /// HTTP autoconfig without TLS or guessing; false for the bundled table and HTTPS autoconfig
    /// of the address's own domain.
    public var requiresConfirmation: Bool { !confirmationReasons.isEmpty }

    /// These settings with `chosen`'s server as ``incoming``; nil when none was found for it.
    public func choosing(_ chosen: IncomingProtocol) -> DiscoveredAccountSettings? {
        guard let server = chosen == .imap ? imap : pop3 else { return nil }
        var settings = self
        settings.incoming = server
        settings.incomingProtocol = chosen
        return settings
    }

    /// The choice made when the user makes none: IMAP when the provider offers it (folders,
    /// read state, many devices), else POP3.
    public var automatic: DiscoveredAccountSettings { choosing(.imap) ?? self }
}

/// AutoDiscovery as the linker's ``AccountLinker/Configuration/discover`` step.
public enum SettingsDiscovery {
    /// A discover step that asks `discoverer` for servers of the `offered` protocols; the
    /// provider's hints (POP not offered, app password needed, where to enable POP) become the
    /// diagnosis when none fits. ``DiscoveredAccountSettings/incoming`` is the automatic choice
    /// (``DiscoveredAccountSettings/automatic``: the IMAP server when one was found, else the
    /// POP3 one, so an IMAP-only provider such as iCloud is offered over IMAP); both are kept
    /// (``DiscoveredAccountSettings/pop3``, ``DiscoveredAccountSettings/imap``) for the user's choice.
    public static func using(
        _ discoverer: AutoDiscoverer, offering offered: Set<IncomingProtocol> = [.pop3, .imap]
    ) -> @Sendable (EmailAddress) async throws -> DiscoveredAccountSettings {
        { address in
            let result: DiscoveryResult
            do {
                result = try await discoverer.settings(for: address.description)
            } catch let error as DiscoveryError {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .discovery, summary: error.description, suggestion: error.recoverySuggestion))
            }
            func settings(_ server: DiscoveredServer) -> ServerSettings {
                ServerSettings(host: server.host, port: server.port, security: server.security, user: server.username)
            }
            let pop3 = offered.contains(.pop3) ? result.pop3.map(settings) : nil
            let imap = offered.contains(.imap) ? result.imap.map(settings) : nil
            let provider = result.displayName ?? result.address.domain
            guard let incoming = imap ?? pop3 else {
                throw LinkDiagnosisError(Self.nothingOffered(offered, provider: provider, hints: result.hints))
            }
            var found = DiscoveredAccountSettings(
                incoming: incoming,
                outgoing: result.smtp.map(settings),
                origin: "\(result.source) (\(result.origin))", confirmationReasons: result.confirmationReasons,
                hints: result.hints, incomingProtocol: imap == nil ? .pop3 : .imap)
            found.pop3 = pop3
            found.imap = imap
            return found
        }
    }

    /// The diagnosis when discovery found no server of the `offered` protocols: the provider's
    /// "no POP3" advice when only POP3 was asked for, else that neither protocol is offered.
    static func nothingOffered(
        _ offered: Set<IncomingProtocol>, provider: String, hints: ProviderHints
    ) -> LinkDiagnosis {
        let advice = ProviderAdvice(hints)
        guard offered.contains(.imap) else { return advice.noPOP3(provider: provider) }
        let asked = offered.contains(.pop3) ? "POP3 or IMAP" : "IMAP"
        var suggestion = "No \(asked) server is known for it: enter the server, port and security by hand."
        if let note = hints.note { suggestion += " " + note }
        return LinkDiagnosis(
            stage: hints.popUnavailable ? .popDisabled : .discovery, summary: "\(provider) offers no \(asked) access",
            suggestion: suggestion)
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
