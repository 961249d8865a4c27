import MailAuth

/// Logging in: the AUTHORIZATION state's commands (RFC 1939 §7 USER/PASS and APOP).
extension POP3Client {
    /// Logs in as `username` with `password`.
    ///
    /// - Parameters:
    ///   - method: how; ``POP3AuthenticationMethod/automatic`` picks the safest the server offers.
    ///   - allowInsecureAuthentication: lets USER/PASS send the password on an unencrypted
    ///     connection. Off by default: anyone on the path could read it.
    /// - Throws: ``POP3Error`` `.authenticationFailed` (with the server's words), `.inUse`,
    ///   `.loginDelay`, `.temporaryFailure`, `.cleartextRefused` (nothing was sent),
    ///   `.noSupportedAuthentication`.
    public func authenticate(
        username: String,
        password: String,
        method: POP3AuthenticationMethod = .automatic,
        allowInsecureAuthentication: Bool = false
    ) async throws {
        try await perform {
            let chosen = try chooseMethod(method, allowInsecure: allowInsecureAuthentication)
            switch chosen {
            case .apop:
                guard let timestamp = greeting.apopTimestamp else {
                    throw SessionContinuesError(error: POP3Error(
                        .noSupportedAuthentication, detail: "APOP needs a timestamp in the greeting; this server sent none"))
                }
                let digest = HexEncoding.encode(MD5.hash(timestamp + password))
                _ = try await simpleCommand(.apop(name: username, digest: digest))
            case .userPass, .automatic:
                _ = try await simpleCommand(.user(username))
                _ = try await simpleCommand(.pass(password))
            }
        }
    }

    private func chooseMethod(_ method: POP3AuthenticationMethod, allowInsecure: Bool) throws -> POP3AuthenticationMethod {
        let cleartextAllowed = isSecure || allowInsecure
        switch method {
        case .apop: return .apop
        case .userPass:
            guard cleartextAllowed else { throw SessionContinuesError(error: Self.cleartextRefusal) }
            return .userPass
        case .automatic:
            if isSecure { return .userPass }
            if greeting.apopTimestamp != nil { return .apop }
            guard allowInsecure else { throw SessionContinuesError(error: Self.cleartextRefusal) }
            return .userPass
        }
    }

    private static let cleartextRefusal = POP3Error(
        .cleartextRefused, detail: "USER/PASS would send the password unencrypted; use TLS or allow it explicitly")
}
