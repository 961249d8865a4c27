import AccountLinking
import MailAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail check <connection> [--protocol pop3|imap] [--smtp HOST:PORT --smtp-security …] [--json]`: the troubleshooting
/// checklist, one `PASS`/`FAIL` line per step, then the diagnosis (with `--json`, one JSON document:
/// `passed`, `steps` and the `error`); exit 0 only when every step passes.
enum CheckCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ConnectionOptions.valueOptions.union(["smtp", "smtp-security", "protocol"]),
            flagOptions: ConnectionOptions.flagOptions.union(["json"]))
        _ = try arguments.requirePositionals([])
        let connection = try ConnectionOptions(arguments)
        guard let user = connection.user else { throw CommandLineArguments.UsageError("--user NAME is required") }
        guard let secret = connection.secret else { throw CommandLineArguments.UsageError(ConnectionOptions.secretRequired) }
        var outgoing: ServerSettings?
        if let smtp = arguments.value("smtp") {
            let security = try ConnectionOptions.security(arguments.value("smtp-security"), option: "--smtp-security")
            guard let endpoint = Endpoint(parsing: smtp, security: security) else {
                throw CommandLineArguments.UsageError("--smtp must be HOST:PORT")
            }
            outgoing = ServerSettings(host: endpoint.host, port: endpoint.port, security: endpoint.security, user: user)
        }
        let incomingProtocol = try arguments.value("protocol").map { name in
            guard let named = IncomingProtocol(named: name) else {
                throw CommandLineArguments.UsageError("--protocol must be imap or pop3, not \(name)")
            }
            return named
        }
        var check = ConnectionCheck(
            incoming: ServerSettings(
                host: connection.endpoint.host, port: connection.endpoint.port, security: connection.endpoint.security,
                user: user),
            outgoing: outgoing, tlsPolicy: connection.tlsPolicy, timeouts: connection.timeouts,
            allowInsecureAuthentication: connection.allowsInsecurePlaintext)
        check.incomingProtocol = incomingProtocol ?? .pop3
        if arguments.flag("json") {
            let (steps, diagnosis) = await check.run(secret: secret)
            var document: [String: Any] = [
                "passed": diagnosis == nil,
                "steps": steps.map { ["name": $0.name, "passed": $0.passed, "detail": $0.detail] },
            ]
            if let diagnosis { document["error"] = Output.object(diagnosis) }
            Output.json(document)
            return diagnosis == nil ? .success : .failure
        }
        let diagnosis = await check.run(secret: secret) { print($0.description) }
        guard let diagnosis else {
            print("every step passed")
            return .success
        }
        print("")
        print(diagnosis.description)
        return .failure
    }
}
