/// What the client sends after a server challenge.
///
/// Every challenge in POP3 (`+ …`) and SMTP (`334 …`) requires exactly one response line, so
/// each case carries the bytes to send (possibly empty: an empty line). Completion is signalled
/// by the server's success reply, which goes to `SASLMechanism.finish(additionalData:)`.
public enum SASLStep: Sendable, Equatable {
    /// Send these bytes (base64-encoded by the protocol client) as the next response.
    case respond([UInt8])

    /// The server reported an error inside the exchange, as XOAUTH2 and OAUTHBEARER do with a
    /// JSON challenge (RFC 7628 §3.2.2). Send `response` (an empty line for XOAUTH2, `%x01` for
    /// OAUTHBEARER); the server then fails the command. `error` says what the server reported,
    /// e.g. whether to refresh the token and retry.
    case acknowledgeError(response: [UInt8], error: OAuth2ErrorChallenge)
}
