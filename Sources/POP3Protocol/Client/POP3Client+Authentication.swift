import MailAuth

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
                    throw SessionContinuesError(error: POP3Error(
                        .noSupportedAuthentication, detail: "APOP needs a timestamp in the greeting; this server sent none"))
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
                username: credentials.user, password: password, allowInsecureAuthentication: allowInsecureAuthentication)
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
        let cleartextAllowed = isSecure || allowInsecure
        switch method {
        case .apop: return .apop
        case .userPass:
            guard cleartextAllowed else { throw SessionContinuesError(error: Self.cleartextRefusal) }
            return .userPass
        case .sasl(let kind):
            if kind.sendsReusableSecret && !cleartextAllowed { throw SessionContinuesError(error: Self.cleartextRefusal) }
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
        } catch where error.code == .cleartextOnInsecureConnection {
            throw SessionContinuesError(error: POP3Error(.cleartextRefused, detail: error.detail))
        } catch {
            throw SessionContinuesError(error: POP3Error(.noSupportedAuthentication, detail: error.detail))
        }
    }

    /// RFC 5034 §4 limits the AUTH command line to 255 octets, initial response included.
    static let maximumAuthLineLength = 255

    /// The SASL exchange: AUTH with an initial response when it fits, then one line per challenge.
    private func runSASL(_ kind: SASLMechanismKind, credentials: Credentials) async throws {
        var mechanism: any SASLMechanism
        let initial: [UInt8]?
        do {
            mechanism = try await credentials.makeMechanism(kind, host: serverName)
            let first = try mechanism.start(initialResponseAllowed: true)
            let encodedCount = first.map { SASLCodec.encodeInitialResponse($0).utf8.count } ?? 0
            if "AUTH \(kind.rawValue) ".utf8.count + encodedCount + 2 > Self.maximumAuthLineLength {
                mechanism = try await credentials.makeMechanism(kind, host: serverName)
                initial = try mechanism.start(initialResponseAllowed: false)
            } else {
                initial = first
            }
        } catch {
            throw SessionContinuesError(error: error)
        }
        try await write([.auth(mechanism: kind.rawValue, initialResponse: initial.map(SASLCodec.encodeInitialResponse))])
        var mechanismFailure: (any Error)?
        var oauthFailure: OAuth2ErrorChallenge?
        while true {
            switch try await readResponse() {
            case .challenge(let text):
                guard mechanismFailure == nil, oauthFailure == nil else {
                    throw POP3Error(.malformedResponse, detail: "a SASL challenge after the client cancelled")
                }
                do {
                    let challenge = try SASLCodec.decode(text)
                    switch try mechanism.respond(to: challenge) {
                    case .respond(let bytes):
                        try await write([.saslResponse(SASLCodec.encode(bytes))])
                    case .acknowledgeError(let response, let oauthError):
                        oauthFailure = oauthError
                        try await write([.saslResponse(SASLCodec.encode(response))])
                    }
                } catch let error as MailAuthError {
                    // The server said something the mechanism cannot accept: cancel (RFC 5034 §4).
                    mechanismFailure = error
                    try await write([.saslResponse(SASLCodec.cancellation)])
                }
            case .complete:
                // Success after a cancellation, or from a server that did not prove itself
                // (SCRAM): the session is not trustworthy, so it ends.
                if let mechanismFailure { throw mechanismFailure }
                try mechanism.finish(additionalData: nil)
                return
            case .failed(var error):
                if let oauthFailure { error.detail += "; the OAuth 2.0 token was refused (\(oauthFailure))" }
                throw SessionContinuesError(error: mechanismFailure ?? error)
            default:
                throw POP3Error(.malformedResponse, detail: "unexpected answer during AUTH")
            }
        }
    }

    static var cleartextRefusal: POP3Error {
        POP3Error(.cleartextRefused, detail: "the password would cross an unencrypted connection; use TLS or allow it explicitly")
    }
}
