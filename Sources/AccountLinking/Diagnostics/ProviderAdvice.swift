import AutoDiscovery

/// What a provider's entry (bundled table or autoconfig) means for linking, in words: stop before
/// a password is tried when only OAuth works, say before sign-in that an app password is needed,
/// and add the provider's own pages to a failed sign-in's diagnosis.
public struct ProviderAdvice: Sendable, Hashable {
    /// The provider's hints.
    public var hints: ProviderHints

    /// Advice from `hints`.
    public init(_ hints: ProviderHints) { self.hints = hints }

    /// The diagnosis that stops a password sign-in at an OAuth-only provider, before anything is sent.
    public func oauthRequired(provider: String) -> LinkDiagnosis {
        LinkDiagnosis(
            stage: .oauthRequired,
            summary: "\(provider) accepts only OAuth 2.0 sign-in for mail programs, not a password",
            suggestion: "Sign in with the provider's OAuth page instead of a password (link with OAuth: "
                + "AccountLinker.link(address:oauth:options:), linkmail add --oauth device)"
                + (hints.documentation.first.map { " (see \($0))" } ?? "") + "; no password was sent.")
    }

    /// The diagnosis for an OAuth sign-in at a provider whose entry names no authorization server.
    public func noOAuth(provider: String) -> LinkDiagnosis {
        LinkDiagnosis(
            stage: .authentication,
            summary: "no OAuth 2.0 authorization server is known for \(provider)",
            suggestion: "Link it with its password (or app password), or name the provider's authorization "
                + "server (its issuer URL) yourself; nothing was sent.")
    }

    /// The diagnosis for a provider that offers no POP3.
    public func noPOP3(provider: String) -> LinkDiagnosis {
        var suggestion = "This provider offers no POP3 access, so it cannot be linked over POP3."
        if let note = hints.note { suggestion += " " + note }
        return LinkDiagnosis(stage: .popDisabled, summary: "\(provider) offers no POP3", suggestion: suggestion)
    }

    /// A note to show before sign-in, when the provider needs something of the user first.
    public var beforeSignIn: String? {
        guard hints.requiresAppPassword else { return nil }
        var text = "this provider refuses the normal account password when two-step verification is on: use an app password"
        if let page = hints.appPasswordURL { text += " (create one at \(page))" }
        if hints.offersOAuth { text += ", or sign in with OAuth instead" }
        return text
    }

    /// `diagnosis` with the provider's pages added where they help: the app-password page after a
    /// refused sign-in, the page that switches POP on after "POP not enabled".
    public func refine(_ diagnosis: LinkDiagnosis) -> LinkDiagnosis {
        var refined = diagnosis
        switch diagnosis.stage {
        case .authentication where hints.requiresAppPassword:
            refined.suggestion += " This provider needs an app password when two-step verification is on"
                + (hints.appPasswordURL.map { ": create one at \($0)." } ?? ".")
        case .authentication, .popDisabled:
            if let page = hints.enableURL {
                refined.suggestion += " POP access may have to be switched on first: \(page)"
            }
        default:
            break
        }
        if let note = hints.note, diagnosis.stage == .authentication || diagnosis.stage == .popDisabled {
            refined.suggestion += " Provider's note: \(note)"
        }
        return refined
    }
}
