import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The server side of XOAUTH2: checks `user=<user>^Aauth=Bearer <token>^A^A` against the one
/// token the fake accepts for that user.
///
/// Accepts the message as an initial response (Google's form) or after an empty challenge
/// (Microsoft's POP3 form). A wrong token gets the providers' JSON error challenge
/// (`{"status":"401","schemes":"bearer","scope":…}`); after the client's empty response the
/// exchange fails.
public struct XOAUTH2ServerMechanism: SASLServerMechanism {
    /// `XOAUTH2`.
    public let name = "XOAUTH2"
    /// The `scope` reported in the JSON error challenge.
    public var scope = "https://mail.google.com/"

    private let validator: SASLTokenValidator
    private var state = State.initial

    private enum State {
        case initial, awaitingMessage, sentError, finished
    }

    /// A verifier that looks up the accepted token with `token(user)`.
    public init(token: @escaping @Sendable (_ user: String) -> String?) {
        self.init { user, presented in
            guard let user, let expected = token(user), ConstantTime.equals(Array(presented.utf8), Array(expected.utf8))
            else { return nil }
            return user
        }
    }

    /// A verifier that asks `validator` (for example a ``FakeAuthorizationServer``'s).
    public init(validator: @escaping SASLTokenValidator) {
        self.validator = validator
    }

    /// Verifies the initial response, or asks for the message with an empty challenge.
    public mutating func start(initialResponse: [UInt8]?) -> SASLServerStep {
        guard let initialResponse else {
            state = .awaitingMessage
            return .challenge([])
        }
        return verify(initialResponse)
    }

    /// Verifies the message, or ends the exchange after the error challenge.
    public mutating func respond(_ response: [UInt8]) -> SASLServerStep {
        switch state {
        case .awaitingMessage:
            return verify(response)
        case .sentError:
            state = .finished
            return response.isEmpty ? .failure(.invalidCredentials) : .failure(.malformedResponse)
        case .initial, .finished:
            state = .finished
            return .failure(.malformedResponse)
        }
    }

    private mutating func verify(_ message: [UInt8]) -> SASLServerStep {
        state = .finished
        guard let text = String(validating: message, as: UTF8.self), text.hasSuffix("\u{01}\u{01}") else {
            return .failure(.malformedResponse)
        }
        let fields = text.dropLast(2).split(separator: "\u{01}", omittingEmptySubsequences: false)
        guard fields.count == 2, fields[0].hasPrefix("user="), fields[1].hasPrefix("auth=Bearer ") else {
            return .failure(.malformedResponse)
        }
        let user = String(fields[0].dropFirst("user=".count))
        let presented = String(fields[1].dropFirst("auth=Bearer ".count))
        if let accepted = validator(user, presented) {
            return .success(user: accepted)
        }
        state = .sentError
        let error = #"{"status":"401","schemes":"bearer","scope":"\#(scope)"}"#
        return .challenge(Array(error.utf8))
    }
}
