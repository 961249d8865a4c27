/// One SASL exchange in the text form POP3 (RFC 5034) and SMTP (RFC 4954) share: base64 lines,
/// an initial response that may not fit on the command line, `*` to cancel. Both protocol
/// clients drive it instead of repeating this logic.
///
/// ```swift
/// var session = SASLClientSession(mechanism: try await credentials.makeMechanism(kind))
/// let initial = try session.start(maximumInitialResponseLength: 255 - "AUTH XOAUTH2 \r\n".count)
/// // C: AUTH XOAUTH2 [initial]
/// // S: + <text>        → switch session.respond(toChallenge: text) {
/// //                        case .send(let line): C: line
/// //                        case .cancel(let error): C: *   (then read the reply and throw error) }
/// // S: +OK / 235       → try session.finish(additionalData: nil)
/// // S: -ERR / 535      → failed; session.oauthError says whether to refresh the token
/// ```
public struct SASLClientSession: Sendable {
    /// What the protocol client sends next.
    public enum Action: Sendable {
        /// Send this line (base64, possibly empty) as the response.
        case send(String)
        /// Send `SASLCodec.cancellation` (`*`): the mechanism cannot continue. After the server's
        /// (failure) reply, report `error`, which says why.
        case cancel(MailAuthError)
    }

    private var mechanism: any SASLMechanism
    private var withheldInitialResponse: [UInt8]?

    /// The error the server reported inside the exchange (XOAUTH2/OAUTHBEARER JSON), if any.
    public private(set) var oauthError: OAuth2ErrorChallenge?

    /// A session for `mechanism`, which must not have been started.
    public init(mechanism: any SASLMechanism) {
        self.mechanism = mechanism
    }

    /// The mechanism name for the `AUTH` command.
    public var mechanismName: String { mechanism.name }

    /// Starts the exchange and returns the initial response as it goes on the `AUTH` line
    /// (`=` when empty), or `nil` to send `AUTH <name>` alone.
    ///
    /// - Parameter maximumInitialResponseLength: the longest base64 text that fits on the command
    ///   line (POP3 limits the whole line to 255 octets, RFC 5034 §4); `nil` means no limit.
    ///   A longer initial response is withheld and sent in answer to the server's first, empty,
    ///   challenge (RFC 4422 §5), which is also Microsoft's POP3 XOAUTH2 form.
    public mutating func start(maximumInitialResponseLength: Int? = nil) throws(MailAuthError) -> String? {
        guard let bytes = try mechanism.start(initialResponseAllowed: true) else { return nil }
        let text = SASLCodec.encodeInitialResponse(bytes)
        if let limit = maximumInitialResponseLength, text.utf8.count > limit {
            withheldInitialResponse = bytes
            return nil
        }
        return text
    }

    /// Answers a server challenge, given its text without the `+ ` or `334 ` prefix.
    public mutating func respond(toChallenge text: some StringProtocol) -> Action {
        if let withheld = withheldInitialResponse {
            withheldInitialResponse = nil
            return .send(SASLCodec.encode(withheld))
        }
        do {
            switch try mechanism.respond(to: try SASLCodec.decode(text)) {
            case .respond(let bytes):
                return .send(SASLCodec.encode(bytes))
            case .acknowledgeError(let bytes, let error):
                oauthError = error
                return .send(SASLCodec.encode(bytes))
            }
        } catch {
            return .cancel(error)
        }
    }

    /// Accepts the server's success reply; `additionalData` is base64 success data when the
    /// protocol carries it (RFC 4422 §3.6), else `nil`.
    ///
    /// - Throws: when the mechanism has not authenticated the server (SCRAM without a valid
    ///   `v=`): treat the session as failed even though the server said yes.
    public mutating func finish(additionalData: String?) throws(MailAuthError) {
        guard withheldInitialResponse == nil else {
            throw MailAuthError(
                .incompleteExchange, mechanism: mechanism.name,
                detail: "the server reported success before receiving the initial response")
        }
        try mechanism.finish(
            additionalData: try additionalData.map { text throws(MailAuthError) in try SASLCodec.decode(text) })
    }
}

extension SASLClientSession: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "SASLClientSession(\(mechanismName), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
