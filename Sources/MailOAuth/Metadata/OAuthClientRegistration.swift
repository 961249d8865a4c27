/// The host application's own registration with an authorization server (RFC 6749 §2): its
/// client id and, where the provider demands one even for installed apps (Google), its secret.
///
/// MailLink ships no registration of its own and never anyone else's: every application
/// registers with Microsoft or Google itself (see the "Linking Outlook.com and Gmail accounts"
/// article). The textual forms redact the secret.
public struct OAuthClientRegistration: Sendable, Hashable, CustomStringConvertible {
    /// The client id the provider issued to the application.
    public var clientID: String
    /// The client secret, when the provider issued one; sent in the request body
    /// (`client_secret_post`, RFC 6749 §2.3.1).
    public var clientSecret: String?

    /// A registration.
    public init(clientID: String, clientSecret: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// `OAuthClientRegistration(clientID: …, secret: <redacted>)`.
    public var description: String {
        "OAuthClientRegistration(clientID: \(clientID), secret: \(clientSecret == nil ? "none" : "<redacted>"))"
    }

    /// Checks that a client id is present, explaining how to get one when it is not.
    func validated(registrationHelp: String) throws(OAuthError) -> OAuthClientRegistration {
        let trimmed = clientID.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else {
            throw OAuthError(
                .missingClientID,
                "no OAuth client id: MailLink ships no client registration, each application registers its own. "
                    + registrationHelp)
        }
        guard clientID.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw OAuthError(.missingClientID, "the client id contains characters no provider issues")
        }
        return self
    }
}
