import MailAuth
import MailTransport

/// Logging in: the AUTHORIZATION state's commands (RFC 1939 §7 USER/PASS and APOP,
/// RFC 5034 AUTH).
extension POP3Client {
    /// Logs in as `username` with `password`.
    ///
    /// - Parameters:
    ///   - method: how; ``POP3AuthenticationMethod/automatic`` picks the safest the server offers.
    ///   - allowInsecureAuthentication: lets a password cross an unencrypted connection in the
    ///     clear (USER/PASS, PLAIN, LOGIN). Off by default: anyone on the path could read it.
    /// - Throws: ``POP3Error`` `.authenticationFailed` (with the server's words), `.inUse`,
    ///   `.loginDelay`, `.temporaryFailure`, `.cleartextRefused` (nothing was sent),
    ///   `.noSupportedAuthentication`; `MailAuthError` when a SASL exchange itself fails (for
    ///   example a SCRAM server that cannot prove it knows the password).
    public func authenticate(
        username: String,
        password: String,
        method: POP3AuthenticationMethod = .automatic,
        allowInsecureAuthentication: Bool = false
    ) async throws {
        let credentials = Credentials(user: username, secret: .password(password))
        try await perform {
            switch try chooseMethod(method, for: credentials, allowInsecure: allowInsecureAuthentication) {
            case .apop:
                guard let timestamp = greeting.apopTimestamp else {
                    throw SessionContinuesError(
                        error: POP3Error(
                            .noSupportedAuthentication,
                            detail: "APOP needs a timestamp in the greeting; this server sent none"))
                }
                let digest = HexEncoding.encode(MD5.hash(timestamp + password))
                _ = try await simpleCommand(.apop(name: username, digest: digest))
            case .sasl(let kind):
                try await runSASL(kind, credentials: credentials)
            case .userPass, .automatic:
                _ = try await simpleCommand(.user(username))
                _ = try await simpleCommand(.pass(password))
            }
        }
    }

    /// Logs in with SASL (RFC 5034) using `credentials`: a password, or an OAuth 2.0 token
    /// provider (XOAUTH2, OAUTHBEARER). The mechanism is `mechanism`, or the strongest that
    /// CAPA's `SASL` line offers and the connection's security permits.
    ///
    /// A password with a server that lists no SASL mechanism falls back to
    /// ``authenticate(username:password:method:allowInsecureAuthentication:)`` (APOP or USER/PASS).
    public func authenticate(
        _ credentials: Credentials,
        mechanism: SASLMechanismKind? = nil,
        allowInsecureAuthentication: Bool = false
    ) async throws {
        if mechanism == nil, capabilities.saslMechanisms.isEmpty, case .password(let password) = credentials.secret {
            try await authenticate(
                username: credentials.user, password: password, allowInsecureAuthentication: allowInsecureAuthentication
            )
            return
        }
        try await perform {
            let kind: SASLMechanismKind
            if let mechanism {
                kind = mechanism
                if mechanism.sendsReusableSecret && !(isSecure || allowInsecureAuthentication) {
                    throw SessionContinuesError(error: Self.cleartextRefusal)
                }
            } else {
                kind = try selectMechanism(for: credentials, allowInsecure: allowInsecureAuthentication)
            }
            try await runSASL(kind, credentials: credentials)
        }
    }

    private func chooseMethod(
        _ method: POP3AuthenticationMethod, for credentials: Credentials, allowInsecure: Bool
    ) throws -> POP3AuthenticationMethod {
        let cleartextAllowed = SASLMechanismSelector(
            isConnectionSecure: isSecure, allowInsecureCleartext: allowInsecure
        )
        .permitsCleartext
        switch method {
        case .apop: return .apop
        case .userPass:
            guard cleartextAllowed else { throw SessionContinuesError(error: Self.cleartextRefusal) }
            return .userPass
        case .sasl(let kind):
            if kind.sendsReusableSecret && !cleartextAllowed {
                throw SessionContinuesError(error: Self.cleartextRefusal)
            }
            return method
        case .automatic:
            if !capabilities.saslMechanisms.isEmpty,
                let kind = try? selectMechanism(for: credentials, allowInsecure: allowInsecure)
            {
                return .sasl(kind)
            }
            if isSecure { return .userPass }
            if greeting.apopTimestamp != nil { return .apop }
            guard allowInsecure else { throw SessionContinuesError(error: Self.cleartextRefusal) }
            return .userPass
        }
    }

    private func selectMechanism(for credentials: Credentials, allowInsecure: Bool) throws -> SASLMechanismKind {
        let selector = SASLMechanismSelector(isConnectionSecure: isSecure, allowInsecureCleartext: allowInsecure)
        do {
            return try selector.choose(from: capabilities.saslMechanisms, for: credentials.kind)
        } catch  where error.code == .cleartextOnInsecureConnection {
            throw SessionContinuesError(error: POP3Error(.cleartextRefused, detail: error.detail))
        } catch {
            throw SessionContinuesError(error: POP3Error(.noSupportedAuthentication, detail: error.detail))
        }
    }

    /// RFC 5034 §4 limits the AUTH command line to 255 octets, initial response included.
    static let maximumAuthLineLength = 255

    /// The SASL exchange, framed by MailAuth's `SASLClientSession`: AUTH with an initial response
    /// when it fits the 255-octet line, then one line per challenge, `*` when the mechanism
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
            initial = try session.start(
                maximumInitialResponseLength: Self.maximumAuthLineLength - "AUTH \(kind.rawValue) \r\n".utf8.count)
        } catch {
            throw SessionContinuesError(error: error)
        }
        try await write([.auth(mechanism: session.mechanismName, initialResponse: initial)])
        var cancellation: MailAuthError?
        while true {
            switch try await readResponse() {
            case .challenge(let text):
                guard cancellation == nil else {
                    throw POP3Error(.malformedResponse, detail: "a SASL challenge after the client cancelled")
                }
                switch session.respond(toChallenge: text) {
                case .send(let line):
                    try await write([.saslResponse(line)])
                case .cancel(let error):
                    cancellation = error
                    try await write([.saslResponse(SASLCodec.cancellation)])
                }
            case .complete:
                // Success after a cancellation, or from a server that did not prove itself
                // (SCRAM): the session is not trustworthy, so it ends.
                if let cancellation { throw cancellation }
                try session.finish(additionalData: nil)
                return
            case .failed(var error):
                if let cancellation { throw SessionContinuesError(error: cancellation) }
                if let oauthError = session.oauthError {
                    if !refreshingToken, !oauthError.isInsufficientScope {
                        do {
                            return try await runSASL(kind, credentials: credentials, refreshingToken: true)
                        } catch let failure as SessionContinuesError {
                            // No fresh token (the grant is gone): the server's refusal of the
                            // old one stays with the error, for the diagnosis.
                            guard var tokenError = failure.error as? MailAuthError, tokenError.serverMessage == nil
                            else { throw failure }
                            tokenError.serverMessage = error.serverText
                            throw SessionContinuesError(error: tokenError)
                        }
                    }
                    error.detail += "; the OAuth 2.0 token was refused (\(oauthError))"
                }
                throw SessionContinuesError(error: error)
            default:
                throw POP3Error(.malformedResponse, detail: "unexpected answer during AUTH")
            }
        }
    }

    static var cleartextRefusal: POP3Error {
        POP3Error(
            .cleartextRefused,
            detail: "the password would cross an unencrypted connection; use TLS or allow it explicitly")
    }
}

extension POP3Client {
    /// Connects and logs in, in one step: ``connect(to:tls:timeouts:connector:configuration:)``
    /// then ``authenticate(_:mechanism:allowInsecureAuthentication:)``. If login fails, the
    /// connection is closed and the error thrown.
    ///
    /// - Parameter allowInsecureAuthentication: lets a password or token cross an unencrypted
    ///   connection (an `.insecurePlaintext` endpoint). Off by default.
    public static func connect(
        to endpoint: Endpoint,
        credentials: Credentials,
        allowInsecureAuthentication: Bool = false,
        tls: TLSPolicy = .default,
        timeouts: Timeouts = .default,
        connector: any MailConnector = SocketConnector(),
        configuration: Configuration = Configuration()
    ) async throws -> POP3Client {
        let client = try await connect(
            to: endpoint, tls: tls, timeouts: timeouts, connector: connector, configuration: configuration)
        do {
            try await client.authenticate(credentials, allowInsecureAuthentication: allowInsecureAuthentication)
        } catch {
            await client.close()
            throw error
        }
        return client
    }
}
