/// A failure of an OAuth 2.0 flow: a server's error response (RFC 6749 §5.2, RFC 8628 §3.5), an
/// answer that breaks the protocol, a failed check (state, issuer), or the network below.
///
/// No token, authorization code, code verifier, device code or client secret ever appears in an
/// error: the `detail` is written by MailLink, and the server's `error_description` is kept
/// only as bounded printable text.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name: the RFC's error code where there is one (`invalid_grant`).
        public let rawValue: String
        /// A code named `rawValue`.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The name.
        public var description: String { rawValue }

        /// The host gave no client id: each application must register its own (MailLink ships none).
        public static let missingClientID = Code("missing client id")
        /// The grant is expired, revoked or was issued to someone else: the user must sign in again.
        /// A refresh that meets `invalid_grant` (RFC 6749 §5.2) reports this.
        public static let signInRequired = Code("sign in required")
        /// RFC 6749 §5.2 `invalid_request`: a parameter is missing, repeated or malformed.
        public static let invalidRequest = Code("invalid_request")
        /// RFC 6749 §5.2 `invalid_client`: the client id (or secret) is unknown or wrong.
        public static let invalidClient = Code("invalid_client")
        /// RFC 6749 §5.2 `invalid_grant`: the code, device code or refresh token is not valid.
        public static let invalidGrant = Code("invalid_grant")
        /// RFC 6749 §5.2 `unauthorized_client`: this client may not use this grant type.
        public static let unauthorizedClient = Code("unauthorized_client")
        /// RFC 6749 §5.2 `unsupported_grant_type`.
        public static let unsupportedGrantType = Code("unsupported_grant_type")
        /// RFC 6749 §5.2 `invalid_scope`: a scope is unknown or not allowed for this client.
        public static let invalidScope = Code("invalid_scope")
        /// RFC 6749 §4.1.2.1 / RFC 8628 §3.5 `access_denied`: the user (or the server) said no.
        public static let accessDenied = Code("access_denied")
        /// RFC 8628 §3.5 `expired_token`: the device code expired before the user approved it.
        public static let expiredToken = Code("expired_token")
        /// Any other error code a server sent (`server_error`, `temporarily_unavailable`, …).
        public static let serverError = Code("server error")
        /// The redirect's `state` is not the one sent (RFC 6749 §10.12): a forged or stale redirect.
        public static let stateMismatch = Code("state mismatch")
        /// The redirect's `iss` is not the expected issuer, or is missing where the server
        /// promised it (RFC 9207 §2.4): a mix-up attack or a misconfigured server.
        public static let issuerMismatch = Code("issuer mismatch")
        /// A server's answer is not what the RFCs require (not JSON, a missing field, too large).
        public static let invalidResponse = Code("invalid response")
        /// Server metadata (RFC 8414) is unusable: wrong issuer, missing endpoint, not https.
        public static let invalidMetadata = Code("invalid metadata")
        /// The server could not be reached (DNS, TCP, TLS).
        public static let network = Code("network")
        /// The server, the user or the redirect did not answer in time.
        public static let timedOut = Code("timed out")
        /// The flow was cancelled by the host.
        public static let cancelled = Code("cancelled")
    }

    /// What went wrong.
    public var code: Code
    /// MailLink's words about what happened (never a secret).
    public var detail: String
    /// The server's `error_description`, printable ASCII only and at most 200 characters.
    public var serverDescription: String?
    /// The HTTP status of the answer, when there was one.
    public var httpStatus: Int?

    /// An error.
    public init(_ code: Code, _ detail: String = "", serverDescription: String? = nil, httpStatus: Int? = nil) {
        self.code = code
        self.detail = detail
        self.serverDescription = serverDescription.map(Self.printable)
        self.httpStatus = httpStatus
    }

    /// Whether the user has to sign in again (interactively) before tokens can be had.
    public var requiresSignIn: Bool {
        [.signInRequired, .invalidGrant, .accessDenied, .expiredToken].contains(code)
    }

    /// Whether trying again later, unchanged, may succeed.
    public var isTransient: Bool {
        switch code {
        case .network, .timedOut, .serverError: true
        default: false
        }
    }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .missingClientID:
            return
                "Register an application with the provider (Microsoft: Microsoft Entra admin center, App registrations; Google: Google Cloud console, Credentials, OAuth client ID) and pass its client id."
        case .signInRequired, .invalidGrant:
            return "The sign-in is no longer valid (expired, revoked or the password changed): sign in again."
        case .accessDenied: return "Access was not granted: sign in again and allow access to mail."
        case .expiredToken: return "The code was not entered in time: start the sign-in again."
        case .invalidClient, .unauthorizedClient:
            return "Check the client id (and secret) of the application registration and which flows it allows."
        case .invalidScope: return "Check that the application registration may request the mail scopes."
        case .stateMismatch, .issuerMismatch:
            return "The answer did not come from the sign-in that was started: start the sign-in again."
        case .network, .timedOut: return "Check the network connection and try again."
        default: return "Try again; if it persists, check the authorization server settings."
        }
    }

    /// `OAuthError(invalid_grant: refreshing the access token; server: "…")`.
    public var description: String {
        var text = "OAuthError(\(code.rawValue)"
        if !detail.isEmpty { text += ": \(detail)" }
        if let httpStatus { text += "; HTTP \(httpStatus)" }
        if let serverDescription, !serverDescription.isEmpty { text += "; server: \"\(serverDescription)\"" }
        return text + ")"
    }

    /// `text` reduced to printable ASCII (RFC 6749 §5.2's charset for `error_description`), bounded.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { (0x20...0x7E).contains($0.value) }).prefix(200))
    }
}
