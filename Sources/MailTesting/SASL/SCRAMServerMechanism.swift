import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The server side of SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677): derives the stored
/// and server keys from the account's password, checks the client proof, and sends the server
/// signature.
///
/// ```
/// C: n,,n=user,r=<client nonce>
/// S: r=<client nonce><server nonce>,s=<salt>,i=4096
/// C: c=biws,r=<nonce>,p=<proof>
/// S: v=<server signature>
/// C: (empty)
/// S: success
/// ```
/// Faults for tests: `forgesServerSignature` makes the fake behave like an impostor that does not
/// know the password's verifier, which a correct client must detect. Channel binding (`p=`) is
/// refused as `.unsupported`. Base64 here is Foundation's, independent of MailAuth's codec.
public struct SCRAMServerMechanism: SASLServerMechanism {
    /// The hash SCRAM is built on (the same choice as the client's).
    public typealias Variant = SCRAMMechanism.Variant

    /// The hash variant.
    public let variant: Variant
    /// When set, the final message carries a wrong server signature.
    public var forgesServerSignature = false

    private let iterations: Int
    private let salt: [UInt8]
    private let serverNonce: String
    private let password: @Sendable (String) -> String?
    private var state = State.awaitingClientFirst

    private enum State {
        case awaitingClientFirst
        case awaitingClientFinal(Exchange)
        case awaitingAcknowledgement(user: String)
        case finished
    }

    /// What the server remembers between its first message and the client's final one.
    private struct Exchange {
        var user: String
        var gs2Header: String
        var nonce: String
        var authMessagePrefix: String
        var saltedPassword: [UInt8]?
    }

    /// `SCRAM-SHA-1` or `SCRAM-SHA-256`.
    public var name: String { variant == .sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256" }

    /// A verifier for `variant` that looks passwords up with `password(user)`.
    ///
    /// `salt` and `serverNonce` default to random values; fix them to reproduce published examples.
    public init(
        variant: Variant, iterations: Int = 4096, salt: [UInt8]? = nil, serverNonce: String? = nil,
        password: @escaping @Sendable (_ user: String) -> String?
    ) {
        self.variant = variant
        self.iterations = iterations
        self.salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        self.serverNonce = serverNonce ?? Data((0..<18).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        self.password = password
    }

    /// Handles the client-first message, or asks for it with an empty challenge.
    public mutating func start(initialResponse: [UInt8]?) -> SASLServerStep {
        guard let initialResponse else { return .challenge([]) }
        return respond(initialResponse)
    }

    /// Handles the client-first message, the client-final message, then the empty acknowledgement.
    public mutating func respond(_ response: [UInt8]) -> SASLServerStep {
        let current = state
        state = .finished
        switch current {
        case .awaitingClientFirst:
            return handleClientFirst(response)
        case .awaitingClientFinal(let exchange):
            return handleClientFinal(response, exchange: exchange)
        case .awaitingAcknowledgement(let user):
            return response.isEmpty ? .success(user: user) : .failure(.malformedResponse)
        case .finished:
            return .failure(.malformedResponse)
        }
    }

    private mutating func handleClientFirst(_ response: [UInt8]) -> SASLServerStep {
        guard let text = String(validating: response, as: UTF8.self) else { return .failure(.malformedResponse) }
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","  (RFC 5802 §7)
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformedResponse) }
        if parts[0].hasPrefix("p=") { return .failure(.unsupported) }
        guard parts[0] == "n" || parts[0] == "y", parts[1].isEmpty else {
            return parts[1].hasPrefix("a=") ? .failure(.unsupported) : .failure(.malformedResponse)
        }
        let bare = String(parts[2])
        let attributes = bare.split(separator: ",", omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].hasPrefix("n="), attributes[1].hasPrefix("r="),
            let user = Self.unescape(attributes[0].dropFirst(2)), !user.isEmpty
        else { return .failure(.malformedResponse) }
        let clientNonce = attributes[1].dropFirst(2)
        guard !clientNonce.isEmpty else { return .failure(.malformedResponse) }

        let nonce = clientNonce + serverNonce
        let serverFirst = "r=\(nonce),s=\(Data(salt).base64EncodedString()),i=\(iterations)"
        // An unknown user still gets a normal-looking challenge and fails at the proof, as real
        // servers do to avoid revealing which accounts exist.
        let salted = password(user).map {
            switch variant {
            case .sha1:
                PBKDF2<SHA1>.deriveKey(password: Array($0.utf8), salt: salt, iterations: iterations, keyByteCount: 20)
            case .sha256:
                PBKDF2<SHA256>.deriveKey(password: Array($0.utf8), salt: salt, iterations: iterations, keyByteCount: 32)
            }
        }
        state = .awaitingClientFinal(
            Exchange(
                user: user, gs2Header: "\(parts[0]),,", nonce: String(nonce),
                authMessagePrefix: "\(bare),\(serverFirst),", saltedPassword: salted))
        return .challenge(Array(serverFirst.utf8))
    }

    private mutating func handleClientFinal(_ response: [UInt8], exchange: Exchange) -> SASLServerStep {
        guard let text = String(validating: response, as: UTF8.self),
            let proofRange = text.ranges(of: ",p=").last
        else { return .failure(.malformedResponse) }
        let withoutProof = String(text[..<proofRange.lowerBound])
        let attributes = withoutProof.split(separator: ",", omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].hasPrefix("c="), attributes[1].hasPrefix("r="),
            let proof = Data(base64Encoded: String(text[proofRange.upperBound...])).map(Array.init)
        else { return .failure(.malformedResponse) }
        guard attributes[0].dropFirst(2) == Data(exchange.gs2Header.utf8).base64EncodedString(),
            attributes[1].dropFirst(2) == exchange.nonce
        else { return .failure(.malformedResponse) }
        guard let salted = exchange.saltedPassword else { return .failure(.invalidCredentials) }

        let authMessage = Array((exchange.authMessagePrefix + withoutProof).utf8)
        let storedKey = hash(hmac(key: salted, Array("Client Key".utf8)))
        let clientSignature = hmac(key: storedKey, authMessage)
        guard proof.count == clientSignature.count else { return .failure(.malformedResponse) }
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard ConstantTime.equals(hash(clientKey), storedKey) else { return .failure(.invalidCredentials) }

        var serverSignature = hmac(key: hmac(key: salted, Array("Server Key".utf8)), authMessage)
        if forgesServerSignature { serverSignature[0] ^= 0x01 }
        state = .awaitingAcknowledgement(user: exchange.user)
        return .challenge(Array("v=\(Data(serverSignature).base64EncodedString())".utf8))
    }

    /// Reverses `saslname` escaping (RFC 5802 §5.1); any other `=` sequence is malformed.
    private static func unescape(_ name: Substring) -> String? {
        var result = ""
        var rest = name[...]
        while let equals = rest.firstIndex(of: "=") {
            result += rest[..<equals]
            let code = rest[rest.index(after: equals)...].prefix(2)
            switch code {
            case "2C": result += ","
            case "3D": result += "="
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        return result + rest
    }

    private func hash(_ data: [UInt8]) -> [UInt8] {
        variant == .sha1 ? SHA1.hash(data) : SHA256.hash(data)
    }

    private func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        variant == .sha1
            ? HMAC<SHA1>.authenticationCode(for: data, key: key) : HMAC<SHA256>.authenticationCode(for: data, key: key)
    }
}
