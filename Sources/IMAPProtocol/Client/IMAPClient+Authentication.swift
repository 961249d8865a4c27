import MailAuth
import MailTransport

/// Logging in: LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE with MailAuth's SASL mechanisms
/// (RFC 9051 §6.2.2, RFC 4959 SASL-IR).
extension IMAPClient {
    /// `LOGIN user password` (RFC 9051 §6.2.3). The arguments go quoted, or as literals when
    /// they hold 8-bit text; CR, LF and NUL are refused before anything is sent.
    ///
    /// - Parameter allowInsecureAuthentication: lets the password cross an unencrypted connection.
    ///   Off by default: anyone on the path could read it.
    /// - Throws: ``IMAPError`` `.authenticationFailed` (with the server's words and code),
    ///   `.loginDisabled` (LOGINDISABLED announced), `.cleartextRefused` (nothing was sent).
    public func login(username: String, password: String, allowInsecureAuthentication: Bool = false) async throws {
        try await perform {
            guard isSecure || allowInsecureAuthentication else {
                throw SessionContinuesError(error: Self.cleartextRefusal)
            }
            if capabilities.loginDisabled {
                throw SessionContinuesError(
                    error: IMAPError(.loginDisabled, detail: "the server announces LOGINDISABLED"))
            }
            try await execute(.login(user: username, password: password))
            try await afterLogin()
        }
    }

    /// Logs in with `credentials`: a password or an OAuth 2.0 token provider (XOAUTH2,
    /// OAUTHBEARER). The mechanism is `mechanism`, or the strongest that the `AUTH=`
    /// capabilities offer and the connection's security permits (MailAuth's
    /// `SASLMechanismSelector`). A password with a server that offers no usable mechanism falls
    /// back to LOGIN, unless LOGINDISABLED is announced.
    ///
    /// - Throws: ``IMAPError`` `.authenticationFailed`, `.cleartextRefused`,
    ///   `.noSupportedAuthentication`; `MailAuthError` when the exchange itself fails (a SCRAM
    ///   server that cannot prove it knows the password).
    public func authenticate(
        _ credentials: Credentials,
        mechanism: SASLMechanismKind? = nil,
        allowInsecureAuthentication: Bool = false
    ) async throws {
        let selector = SASLMechanismSelector(
            isConnectionSecure: isSecure, allowInsecureCleartext: allowInsecureAuthentication)
        let kind: SASLMechanismKind
        if let mechanism {
            if mechanism.sendsReusableSecret && !selector.permitsCleartext { throw Self.cleartextRefusal }
            kind = mechanism
        } else {
            do {
                kind = try selector.choose(from: capabilities.authenticationMechanisms, for: credentials.kind)
            } catch {
                if case .password(let password) = credentials.secret, !capabilities.loginDisabled {
                    return try await login(
                        username: credentials.user, password: password,
                        allowInsecureAuthentication: allowInsecureAuthentication)
                }
                if error.code == .cleartextOnInsecureConnection {
                    throw IMAPError(.cleartextRefused, detail: error.detail)
                }
                throw IMAPError(
                    capabilities.loginDisabled ? .loginDisabled : .noSupportedAuthentication, detail: error.detail)
            }
        }
        try await perform {
            try await runSASL(kind, credentials: credentials)
            try await afterLogin()
        }
    }

    /// After login the capabilities may change (RFC 9051 §6.2.3): use the ones the completion
    /// carried, or ask.
    private func afterLogin() async throws {
        if !capabilityCodeSeen { try await fetchCapabilities() }
    }

    /// Whether the last completion carried `[CAPABILITY ...]` (tracked through ``absorb(_:)``).
    private var capabilityCodeSeen: Bool { lastCompletionHadCapabilities }

    /// The SASL exchange, framed by MailAuth's `SASLClientSession`: AUTHENTICATE with an initial
    /// response when SASL-IR is offered, then one line per challenge, `*` when the mechanism
    /// cannot go on. An OAuth 2.0 token the server refuses (other than for its scope) is
    /// refreshed through the credentials' token provider and tried once more.
    private func runSASL(
        _ kind: SASLMechanismKind, credentials: Credentials, refreshingToken: Bool = false
    ) async throws {
        var session: SASLClientSession
        let initial: String?
        do {
            session = SASLClientSession(
                mechanism: try await credentials.makeMechanism(kind, refreshingToken: refreshingToken, host: serverName)
            )
            initial = try session.start(maximumInitialResponseLength: capabilities.saslInitialResponse ? nil : 0)
        } catch {
            throw SessionContinuesError(error: error)
        }
        lastCompletionHadCapabilities = false
        let tag = try await send(.authenticate(mechanism: session.mechanismName, initialResponse: initial))
        var cancellation: MailAuthError?
        while true {
            switch try await readAction() {
            case .continuation(let text):
                guard cancellation == nil else {
                    throw IMAPError(.malformedResponse, detail: "a SASL challenge after the client cancelled")
                }
                let line: String
                switch session.respond(toChallenge: text.trimmingSpaces) {
                case .send(let response): line = response
                case .cancel(let error):
                    cancellation = error
                    line = SASLCodec.cancellation
                }
                try await connection.send(Array((line + "\r\n").utf8))
            case .data(let data):
                absorb(data)
            case .completed(_, let tagged) where tagged.tag == tag:
                absorbCompletion(tagged)
                if let cancellation { throw cancellation }
                try session.finish(additionalData: nil)
                return
            case .failed(_, _, var error):
                if let cancellation { throw SessionContinuesError(error: cancellation) }
                if let oauthError = session.oauthError {
                    if !refreshingToken, !oauthError.isInsufficientScope {
                        return try await runSASL(kind, credentials: credentials, refreshingToken: true)
                    }
                    error.detail += "; the OAuth 2.0 token was refused (\(oauthError))"
                }
                throw SessionContinuesError(error: error)
            default:
                throw IMAPError(.malformedResponse, detail: "unexpected answer during AUTHENTICATE")
            }
        }
    }

    static var cleartextRefusal: IMAPError {
        IMAPError(
            .cleartextRefused,
            detail: "the password would cross an unencrypted connection; use TLS or allow it explicitly")
    }
}

extension String {
    /// Without leading and trailing spaces (a `+ ` continuation's text as some servers pad it).
    var trimmingSpaces: Substring {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}

extension IMAPClient {
    /// Connects and logs in, in one step: ``connect(to:tls:timeouts:connector:configuration:)``
    /// then ``authenticate(_:mechanism:allowInsecureAuthentication:)``. If login fails, the
    /// connection is closed and the error thrown.
    ///
    /// - Parameter allowInsecureAuthentication: lets a password or token cross an unencrypted
    ///   connection (an `.insecurePlaintext` endpoint). Off by default.
    public static func connect(
        to endpoint: Endpoint,
        credentials: Credentials,
        mechanism: SASLMechanismKind? = nil,
        allowInsecureAuthentication: Bool = false,
        tls: TLSPolicy = .default,
        timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(),
        configuration: Configuration = Configuration()
    ) async throws -> IMAPClient {
        let client = try await connect(
            to: endpoint, tls: tls, timeouts: timeouts, connector: connector, configuration: configuration)
        if await client.isAuthenticated { return client }
        do {
            try await client.authenticate(
                credentials, mechanism: mechanism, allowInsecureAuthentication: allowInsecureAuthentication)
        } catch {
            await client.close()
            throw error
        }
        return client
    }
}
