import AccountLinking
import MailAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The connection flags shared by every command that talks to a server (DESIGN.md, "The
/// `linkmail` example CLI"): `--server HOST:PORT`, `--security tls|starttls|plain`,
/// `--insecure-allow-plaintext`, `--ca FILE`, `--pin SHA256`, `--user NAME`,
/// `--password-file FILE` (or `LINKMAIL_PASSWORD`) or `--token-file FILE` (an OAuth 2.0 access
/// token, sent with XOAUTH2 or OAUTHBEARER), `--timeout SECONDS`.
/// Secrets never come from the command line itself.
struct ConnectionOptions {
    static let valueOptions: Set<String> = ["server", "security", "ca", "pin", "user", "password-file", "token-file", "timeout"]
    static let flagOptions: Set<String> = ["insecure-allow-plaintext"]

    var endpoint: Endpoint
    var tlsPolicy: TLSPolicy
    var user: String?
    var password: String?
    /// The access token of `--token-file`, instead of a password.
    var token: String?
    var timeouts: Timeouts
    var allowsInsecurePlaintext: Bool
    /// The trust and time flags as kept with an account.
    var policy: ConnectionPolicy

    init(_ arguments: CommandLineArguments, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let security = try Self.security(arguments.value("security"), option: "--security")
        guard let serverText = arguments.value("server") else { throw CommandLineArguments.UsageError("--server HOST:PORT is required") }
        guard let endpoint = Endpoint(parsing: serverText, security: security) else {
            throw CommandLineArguments.UsageError("--server must be HOST:PORT, not \(serverText)")
        }
        self.endpoint = endpoint
        policy = try Self.policy(arguments)
        tlsPolicy = policy.tlsPolicy
        user = arguments.value("user")
        password = try Self.password(arguments, environment: environment)
        token = try Self.token(arguments)
        if token != nil, arguments.value("password-file") != nil {
            throw CommandLineArguments.UsageError("give --password-file or --token-file, not both")
        }
        if token != nil { password = nil }
        timeouts = policy.timeouts(over: .all(.seconds(30)))
        allowsInsecurePlaintext = policy.allowsInsecureAuthentication
        if security == .insecurePlaintext, password != nil || token != nil, !allowsInsecurePlaintext {
            throw CommandLineArguments.UsageError(
                "--security plain would send the \(token == nil ? "password" : "token") unencrypted; add --insecure-allow-plaintext if you really mean it")
        }
    }

    /// The secret to sign in with: the token of `--token-file`, else the password.
    var secret: Credentials.Secret? {
        if let token { return .oauth2(.fixed(token)) }
        return password.map { .password($0) }
    }

    /// What to say when neither a password nor a token was given.
    static let secretRequired = "a password or token is required: --password-file FILE, LINKMAIL_PASSWORD or --token-file FILE"

    /// The first line of `--token-file`, or nil without the option.
    static func token(_ arguments: CommandLineArguments) throws -> String? {
        guard let file = arguments.value("token-file") else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandLineArguments.UsageError("cannot read --token-file \(file)")
        }
        let token = firstLine(of: Array(data))
        guard !token.isEmpty else { throw CommandLineArguments.UsageError("--token-file \(file) is empty") }
        return token
    }

    /// `tls` (the default), `starttls` or `plain`.
    static func security(_ text: String?, option: String) throws -> Endpoint.Security {
        switch text ?? "tls" {
        case "tls": return .tls
        case "starttls": return .startTLS
        case "plain": return .insecurePlaintext
        case let other: throw CommandLineArguments.UsageError("\(option) must be tls, starttls or plain, not \(other)")
        }
    }

    /// The trust and time flags as one account's policy: `--ca FILE`, `--pin SHA256`,
    /// `--timeout SECONDS`, `--insecure-allow-plaintext`.
    static func policy(_ arguments: CommandLineArguments) throws -> ConnectionPolicy {
        var pins: [CertificateFingerprint] = []
        for pin in arguments.values("pin") {
            guard let fingerprint = CertificateFingerprint(pin) else {
                throw CommandLineArguments.UsageError("--pin must be a SHA-256 fingerprint (64 hex digits)")
            }
            pins.append(fingerprint)
        }
        return ConnectionPolicy(
            caFiles: arguments.values("ca"), pins: pins, timeoutSeconds: try arguments.integer("timeout", in: 1...3600),
            allowsInsecureAuthentication: arguments.flag("insecure-allow-plaintext"))
    }

    /// The secret from `--password-file` (its first line, without the line end: LF or CRLF), else
    /// `LINKMAIL_PASSWORD`, else nil.
    static func password(
        _ arguments: CommandLineArguments, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String? {
        if let file = arguments.value("password-file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandLineArguments.UsageError("cannot read --password-file \(file)")
            }
            return firstLine(of: Array(data))
        }
        return environment["LINKMAIL_PASSWORD"]
    }

    /// The first line of `bytes`, without its LF or CRLF. Bytes, not `Character`s: in Swift
    /// "\r\n" is one `Character`, so splitting a `String` on "\n" would keep a CRLF file whole.
    static func firstLine(of bytes: [UInt8]) -> String {
        var line = bytes.prefix { $0 != 0x0A }
        if line.last == 0x0D { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }

    /// The password as a secret.
    static func secret(
        _ arguments: CommandLineArguments, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Credentials.Secret? {
        try password(arguments, environment: environment).map { .password($0) }
    }
}
