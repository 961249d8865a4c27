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
        let security: Endpoint.Security
        switch arguments.value("security") ?? "tls" {
        case "tls": security = .tls
        case "starttls": security = .startTLS
        case "plain": security = .insecurePlaintext
        case let other: throw CommandLineArguments.UsageError("--security must be tls, starttls or plain, not \(other)")
        }
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
        if let file = arguments.value("password-file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandLineArguments.UsageError("cannot read --password-file \(file)")
            }
            password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        } else {
            password = environment["LINKMAIL_PASSWORD"]
        }
        let seconds = try arguments.integer("timeout", in: 1...3600) ?? 30
        timeouts = Timeouts(connect: .seconds(seconds), read: .seconds(seconds), write: .seconds(seconds))
        allowsInsecurePlaintext = arguments.flag("insecure-allow-plaintext")
        if security == .insecurePlaintext, password != nil, !allowsInsecurePlaintext {
            throw CommandLineArguments.UsageError(
                "--security plain would send the password unencrypted; add --insecure-allow-plaintext if you really mean it")
        }
    }
}
