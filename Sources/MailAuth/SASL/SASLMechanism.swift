/// A client SASL mechanism (RFC 4422) as a small synchronous state machine over bytes.
///
/// Protocol-agnostic: the POP3 client (RFC 5034) and the SMTP client (RFC 4954) do the framing
/// and base64 (`SASLCodec`); the mechanism only turns challenges into responses. Secrets are
/// given at construction (OAuth tokens are fetched by the caller first), so nothing here is async.
///
/// The driving loop, for any protocol:
///
/// ```swift
/// var mechanism = try await credentials.makeMechanism(kind)
/// let initial = try mechanism.start(initialResponseAllowed: lineHasRoom)
/// // C: AUTH <name> [SASLCodec.encodeInitialResponse(initial)]
/// // S: + <base64>  /  334 <base64>   → respond(to:) and send what it returns
/// // S: +OK / 235 [data]              → finish(additionalData:), which may still throw
/// // S: -ERR / 535                    → authentication failed
/// ```
public protocol SASLMechanism: Sendable {
    /// The registered mechanism name, upper case, as it goes on the `AUTH` line.
    var name: String { get }

    /// Whether the mechanism is client-first, i.e. has an initial response (RFC 4422 §3.3).
    var hasInitialResponse: Bool { get }

    /// Begins the exchange.
    ///
    /// - Parameter initialResponseAllowed: whether the caller can put an initial response on the
    ///   `AUTH` line. Pass `false` when it would not fit (POP3 limits the line to 255 octets,
    ///   RFC 5034 §4) or the server wants it after an empty challenge (Microsoft's POP3 XOAUTH2):
    ///   the mechanism then answers the first, empty, challenge with what it would have sent.
    /// - Returns: the initial response, or `nil` when there is none to send now.
    mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]?

    /// Answers one decoded server challenge.
    mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep

    /// Called when the server reports success, with the success data if any (RFC 4422 §3.6).
    /// Mechanisms that authenticate the server (SCRAM) throw if it has not proven itself.
    mutating func finish(additionalData: [UInt8]?) throws(MailAuthError)
}

extension SASLMechanism {
    /// Begins the exchange, sending an initial response if the mechanism has one.
    public mutating func start() throws(MailAuthError) -> [UInt8]? {
        try start(initialResponseAllowed: true)
    }

    /// Accepts success; additional data is not expected and is ignored by default.
    public mutating func finish(additionalData: [UInt8]?) throws(MailAuthError) {}
}
