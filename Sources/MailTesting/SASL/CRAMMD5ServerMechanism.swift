import MailAuth

/// The server side of CRAM-MD5 (RFC 2195): issues a `<unique.timestamp@host>` challenge and
/// checks `user SP hex(HMAC-MD5(password, challenge))`.
public struct CRAMMD5ServerMechanism: SASLServerMechanism {
    /// `CRAM-MD5`.
    public let name = "CRAM-MD5"

    private let password: @Sendable (String) -> String?
    private let challenge: String
    private var challenged = false

    /// A verifier that looks passwords up with `password(user)` and sends `challenge`
    /// (by default a random one, in the RFC 2195 §2 message-id form).
    public init(
        challenge: String = "<\(UInt64.random(in: 1...UInt64.max)).\(UInt32.random(in: 1...UInt32.max))@fake.invalid>",
        password: @escaping @Sendable (_ user: String) -> String?
    ) {
        self.challenge = challenge
        self.password = password
    }

    /// Sends the challenge; CRAM-MD5 has no initial response, so one is malformed.
    public mutating func start(initialResponse: [UInt8]?) -> SASLServerStep {
        guard initialResponse == nil else { return .failure(.malformedResponse) }
        challenged = true
        return .challenge(Array(challenge.utf8))
    }

    /// Checks the digest.
    public mutating func respond(_ response: [UInt8]) -> SASLServerStep {
        guard challenged else { return .failure(.malformedResponse) }
        challenged = false
        guard let space = response.lastIndex(of: UInt8(ascii: " ")),
            let user = String(validating: response[..<space], as: UTF8.self), !user.isEmpty
        else { return .failure(.malformedResponse) }
        let digest = Array(response[(space + 1)...])
        guard digest.count == 32 else { return .failure(.malformedResponse) }
        guard let secret = password(user) else { return .failure(.invalidCredentials) }
        let expected = HMAC<MD5>.authenticationCode(for: Array(challenge.utf8), key: Array(secret.utf8))
        let expectedHex = Array(
            expected.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined().utf8)
        guard ConstantTime.equals(digest, expectedHex) else { return .failure(.invalidCredentials) }
        return .success(user: user)
    }
}
