import MailAuth

/// The server side of OAUTHBEARER (RFC 7628): checks
/// `n,a=<user>,^A[host=…^A][port=…^A]auth=Bearer <token>^A^A` against the one token the fake
/// accepts for that user.
///
/// A wrong token gets the RFC 7628 §3.2.2 JSON error challenge
/// (`{"status":"invalid_token",…}`); the client must answer with a single `%x01` (§3.2.3), after
/// which the exchange fails. Without `a=`, the user is the one whose token matches.
public struct OAuthBearerServerMechanism: SASLServerMechanism {
    /// `OAUTHBEARER`.
    public let name = "OAUTHBEARER"
    /// The `scope` reported in the JSON error challenge.
    public var scope = "https://mail.example/"

    private let validator: SASLTokenValidator
    private var state = State.initial

    private enum State {
        case initial, awaitingMessage, sentError, finished
    }

    /// A verifier that accepts `tokens[user]` for each user.
    public init(tokens: [String: String]) {
        self.init(validator: SASLServerAccounts(tokens: tokens).tokenValidation)
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
            return response == [0x01] ? .failure(.invalidCredentials) : .failure(.malformedResponse)
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
        // gs2-header "," then kvpairs separated by ^A (RFC 7628 §3.1).
        let pieces = text.split(separator: "\u{01}", omittingEmptySubsequences: false)
        let header = pieces[0].split(separator: ",", omittingEmptySubsequences: false)
        guard header.count == 3, header[0] == "n" || header[0] == "y", header[2].isEmpty else {
            return .failure(.malformedResponse)
        }
        var claimedUser: String?
        if !header[1].isEmpty {
            guard header[1].hasPrefix("a=") else { return .failure(.malformedResponse) }
            claimedUser = String(header[1].dropFirst(2)).replacing("=2C", with: ",").replacing("=3D", with: "=")
        }
        guard let auth = pieces.dropFirst().first(where: { $0.hasPrefix("auth=") }),
            auth.hasPrefix("auth=Bearer ")
        else { return .failure(.malformedResponse) }
        let presented = String(auth.dropFirst("auth=Bearer ".count))
        if let user = validator(claimedUser, presented) {
            return .success(user: user)
        }
        state = .sentError
        return .challenge(Array(#"{"status":"invalid_token","scope":"\#(scope)"}"#.utf8))
    }
}
