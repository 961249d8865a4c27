/// SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802): a salted challenge-response that proves
/// knowledge of the password without sending it, and in return makes the server prove that it
/// holds the password's verifier (the final `v=` signature, checked here).
///
/// ```
/// C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=   (n,,n=user,r=rOprNGfwEbeRWgbNEkqO)
/// S: 334 cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=
/// C: Yz1iaXdzLHI9…,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
/// S: 334 dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==       (v=…)
/// C: (empty line)
/// S: 235 2.7.0 Authentication successful
/// ```
///
/// Channel binding is not used (GS2 header `n,,`), so the `-PLUS` variants are never chosen.
/// User name and password go through `SASLprep` (RFC 5802 §5.1).
public struct SCRAMMechanism: SASLMechanism {
    /// The hash SCRAM is built on.
    public enum Variant: Sendable, Hashable {
        /// SCRAM-SHA-1 (RFC 5802).
        case sha1
        /// SCRAM-SHA-256 (RFC 7677).
        case sha256
    }

    /// A ceiling on the server-chosen iteration count, so that a hostile or broken server cannot
    /// make the client spin: 1 000 000 is ~250× the RFC 7677 §4 recommendation of 4096 and costs
    /// about a second of CPU in a release build.
    public static let defaultMaximumIterations = 1_000_000

    /// The hash variant.
    public let variant: Variant
    /// The highest iteration count this client accepts from the server.
    public var maximumIterations = SCRAMMechanism.defaultMaximumIterations

    private let user: String
    private let password: String
    private let clientNonce: String
    private var state = State.initial

    private enum State {
        case initial
        case awaitingEmptyChallenge(clientFirstBare: String)
        case sentClientFirst(clientFirstBare: String)
        case sentClientFinal(expectedServerSignature: [UInt8])
        case verified
        case failed
    }

    /// `SCRAM-SHA-256` or `SCRAM-SHA-1`.
    public var name: String {
        switch variant {
        case .sha1: "SCRAM-SHA-1"
        case .sha256: "SCRAM-SHA-256"
        }
    }

    /// SCRAM is client-first (RFC 5802 §5).
    public var hasInitialResponse: Bool { true }

    /// Authenticates as `user` with `password`, drawing a 144-bit client nonce from `random`
    /// (24 base64 characters, as long as RFC 5802's example nonce).
    public init(variant: Variant, user: String, password: String, random: RandomBytesSource = .system) {
        self.init(variant: variant, user: user, password: password, clientNonce: SASLCodec.encode(random.bytes(18)))
    }

    /// Authenticates with a fixed client nonce: for reproducing published examples in tests.
    ///
    /// - Precondition: `clientNonce` is non-empty printable ASCII without `,` (RFC 5802 §7).
    public init(variant: Variant, user: String, password: String, clientNonce: String) {
        precondition(
            !clientNonce.isEmpty && clientNonce.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ",") },
            "a SCRAM nonce must be printable ASCII without commas")
        self.variant = variant
        self.user = user
        self.password = password
        self.clientNonce = clientNonce
    }

    /// Returns the client-first message `n,,n=<user>,r=<nonce>` (RFC 5802 §5.1), or `nil` to send
    /// it after an empty challenge.
    public mutating func start(initialResponseAllowed: Bool) throws(MailAuthError) -> [UInt8]? {
        guard case .initial = state else { preconditionFailure("start() called twice") }
        let bare = "n=\(Self.escape(try SASLprep.prepare(user))),r=\(clientNonce)"
        guard initialResponseAllowed else {
            state = .awaitingEmptyChallenge(clientFirstBare: bare)
            return nil
        }
        state = .sentClientFirst(clientFirstBare: bare)
        return Array(("n,," + bare).utf8)
    }

    /// Answers the server-first message with the client proof, then checks the server signature.
    public mutating func respond(to challenge: [UInt8]) throws(MailAuthError) -> SASLStep {
        switch state {
        case .awaitingEmptyChallenge(let bare):
            // The caller could not send the initial response: this (empty) challenge asks for it.
            state = .sentClientFirst(clientFirstBare: bare)
            return .respond(Array(("n,," + bare).utf8))
        case .sentClientFirst(let bare):
            return .respond(try answerServerFirst(challenge, clientFirstBare: bare))
        case .sentClientFinal(let expected):
            try verifyServerFinal(challenge, expected: expected)
            return .respond([])
        case .initial, .verified, .failed:
            throw MailAuthError(.unexpectedChallenge, mechanism: name, detail: "SCRAM expects no further challenge")
        }
    }

    /// Accepts success only once the server signature has been verified, either from an
    /// earlier challenge or from the success data (RFC 4422 §3.6).
    public mutating func finish(additionalData: [UInt8]?) throws(MailAuthError) {
        switch state {
        case .verified:
            return
        case .sentClientFinal(let expected) where additionalData.map({ !$0.isEmpty }) ?? false:
            try verifyServerFinal(additionalData ?? [], expected: expected)
        default:
            state = .failed
            throw MailAuthError(
                .incompleteExchange, mechanism: name,
                detail: "the server reported success without proving it knows the password")
        }
    }

    private mutating func answerServerFirst(
        _ challenge: [UInt8], clientFirstBare: String
    ) throws(MailAuthError)
        -> [UInt8]
    {
        state = .failed
        guard let serverFirst = String(validating: challenge, as: UTF8.self) else {
            throw MailAuthError(.invalidUTF8, mechanism: name, detail: "the server-first message is not UTF-8")
        }
        let attributes = try SCRAMAttributes(parsing: serverFirst, mechanism: name)
        if attributes.first?.key == "m" {
            throw malformed("the server requires an extension this client does not support")
        }
        guard let nonce = attributes["r"], let saltText = attributes["s"], let iterationText = attributes["i"] else {
            throw malformed("the server-first message lacks r=, s= or i=")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw MailAuthError(
                .nonceMismatch, mechanism: name, detail: "the server nonce does not extend the client nonce")
        }
        let salt = try SASLCodec.decode(saltText)
        guard !salt.isEmpty else { throw malformed("the salt is empty") }
        guard let iterations = Int(iterationText) else { throw malformed("the iteration count is not a number") }
        guard iterations >= 1, iterations <= maximumIterations else {
            throw MailAuthError(
                .iterationCountOutOfRange, mechanism: name,
                detail: "the server asks for \(iterations) iterations; accepted: 1…\(maximumIterations)")
        }

        let finalWithoutProof = "c=\(SASLCodec.encode(Array("n,,".utf8))),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)
        let salted = saltedPassword(try Array(SASLprep.prepare(password).utf8), salt: salt, iterations: iterations)
        let clientKey = hmac(key: salted, Array("Client Key".utf8))
        let clientSignature = hmac(key: hash(clientKey), authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverSignature = hmac(key: hmac(key: salted, Array("Server Key".utf8)), authMessage)

        state = .sentClientFinal(expectedServerSignature: serverSignature)
        return Array("\(finalWithoutProof),p=\(SASLCodec.encode(proof))".utf8)
    }

    private mutating func verifyServerFinal(_ message: [UInt8], expected: [UInt8]) throws(MailAuthError) {
        state = .failed
        guard let serverFinal = String(validating: message, as: UTF8.self) else {
            throw MailAuthError(.invalidUTF8, mechanism: name, detail: "the server-final message is not UTF-8")
        }
        let attributes = try SCRAMAttributes(parsing: serverFinal, mechanism: name)
        if let error = attributes["e"] {
            throw MailAuthError(
                .serverRejected, mechanism: name, detail: "the server ended the exchange with an error",
                serverMessage: error)
        }
        guard let signature = attributes["v"] else { throw malformed("the server-final message lacks v=") }
        guard ConstantTime.equals(try SASLCodec.decode(signature), expected) else {
            throw MailAuthError(
                .serverSignatureMismatch, mechanism: name,
                detail: "the server signature is wrong: the server does not know this password")
        }
        state = .verified
    }

    private func malformed(_ detail: String) -> MailAuthError {
        MailAuthError(.malformedServerMessage, mechanism: name, detail: detail)
    }

    /// `saslname` escaping: `=` → `=3D`, `,` → `=2C` (RFC 5802 §5.1).
    static func escape(_ name: String) -> String {
        var escaped = ""
        for character in name {
            switch character {
            case "=": escaped += "=3D"
            case ",": escaped += "=2C"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private func hash(_ data: [UInt8]) -> [UInt8] {
        switch variant {
        case .sha1: SHA1.hash(data)
        case .sha256: SHA256.hash(data)
        }
    }

    private func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        switch variant {
        case .sha1: HMAC<SHA1>.authenticationCode(for: data, key: key)
        case .sha256: HMAC<SHA256>.authenticationCode(for: data, key: key)
        }
    }

    /// `Hi(Normalize(password), salt, i)` (RFC 5802 §2.2, §3).
    private func saltedPassword(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        switch variant {
        case .sha1:
            PBKDF2<SHA1>.deriveKey(password: password, salt: salt, iterations: iterations, keyByteCount: 20)
        case .sha256:
            PBKDF2<SHA256>.deriveKey(password: password, salt: salt, iterations: iterations, keyByteCount: 32)
        }
    }
}

extension SCRAMMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism name only: the secret it holds never appears in text.
    public var description: String { "SCRAMMechanism(\(name), <redacted>)" }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// A mirror without children, so `dump` cannot print the secret.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
