import Foundation
import MailTransport

/// The connection flags shared by every command that talks to a server (DESIGN.md, "The
/// `linkmail` example CLI"): `--server HOST:PORT`, `--security tls|starttls|plain`,
/// `--insecure-allow-plaintext`, `--ca FILE`, `--pin SHA256`, `--user NAME`,
/// `--password-file FILE` (or `LINKMAIL_PASSWORD`), `--timeout SECONDS`.
/// Secrets never come from the command line itself.
struct ConnectionOptions {
    static let valueOptions: Set<String> = ["server", "security", "ca", "pin", "user", "password-file", "timeout"]
    static let flagOptions: Set<String> = ["insecure-allow-plaintext"]

    var endpoint: Endpoint
    var tlsPolicy: TLSPolicy
    var user: String?
    var password: String?
    var timeouts: Timeouts
    var allowsInsecurePlaintext: Bool

    init(_ arguments: CommandLineArguments, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let security = try Self.security(arguments.value("security"), option: "--security")
        guard let serverText = arguments.value("server") else { throw CommandLineArguments.UsageError("--server HOST:PORT is required") }
        guard let endpoint = Endpoint(parsing: serverText, security: security) else {
            throw CommandLineArguments.UsageError("--server must be HOST:PORT, not \(serverText)")
        }
        self.endpoint = endpoint
        var policy = TLSPolicy()
        policy.additionalTrustedCAFiles = arguments.values("ca")
        for pin in arguments.values("pin") {
            guard let fingerprint = CertificateFingerprint(pin) else {
                throw CommandLineArguments.UsageError("--pin must be a SHA-256 fingerprint (64 hex digits)")
            }
            policy.pinnedFingerprints.insert(fingerprint)
        }
        tlsPolicy = policy
        user = arguments.value("user")
        password = try Self.password(arguments, environment: environment)
        let seconds = try arguments.integer("timeout", in: 1...3600) ?? 30
        timeouts = Timeouts(connect: .seconds(seconds), read: .seconds(seconds), write: .seconds(seconds))
        allowsInsecurePlaintext = arguments.flag("insecure-allow-plaintext")
        if security == .insecurePlaintext, password != nil, !allowsInsecurePlaintext {
            throw CommandLineArguments.UsageError(
                "--security plain would send the password unencrypted; add --insecure-allow-plaintext if you really mean it")
        }
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

    /// The first line of `--password-file`, else `LINKMAIL_PASSWORD`, else nil.
    static func password(
        _ arguments: CommandLineArguments, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String? {
        if let file = arguments.value("password-file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandLineArguments.UsageError("cannot read --password-file \(file)")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        return environment["LINKMAIL_PASSWORD"]
    }
}
