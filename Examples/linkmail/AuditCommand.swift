import AccountLinking
import MailAuth
import MailMessage
import AutoDiscovery
import Foundation
import MailTransport

/// `linkmail audit ACCOUNTS.csv --report FILE.md [discovery options] [--ca FILE] [--timeout SECONDS]`:
/// the roll-out check. For each account: discovery (unless the row gives the server), the
/// connection checklist, and the diagnosis; the report documents every account's settings and
/// problems in Markdown.
///
/// The CSV has a header row; columns (only `address` is required):
/// `address,password_file,server,security,user`. Secrets never sit in the CSV: `password_file`
/// names a file whose first line is the password (an account without one is checked up to login).
enum AuditCommand {
    struct Row {
        var address: String
        var passwordFile: String?
        var server: String?
        var security: String?
        var user: String?
    }

    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ["report", "dns", "autoconfig-base", "ispdb", "ca", "pin", "timeout"],
            flagOptions: ["offline", "probe"])
        let csvPath = try arguments.requirePositionals(["ACCOUNTS.csv"])[0]
        guard let reportPath = arguments.value("report") else { throw CommandLineArguments.UsageError("--report FILE.md is required") }
        guard let text = try? String(contentsOfFile: csvPath, encoding: .utf8) else {
            throw CommandLineArguments.UsageError("cannot read \(csvPath)")
        }
        let rows = try parse(text)
        let discoverer = AutoDiscoverer(configuration: try DiscoverCommand.makeConfiguration(arguments))
        // The same trust flags as every command (`--ca`, `--pin`, `--timeout`), built in one place.
        let connection = try ConnectionOptions.policy(arguments)
        let policy = connection.tlsPolicy
        let timeouts = connection.timeouts(over: .all(.seconds(15)))

        var report = ["# MailLink roll-out audit", "", "\(rows.count) accounts checked from `\(csvPath)`.", ""]
        var summary: [String] = ["| address | POP3 server | settings from | result |", "| --- | --- | --- | --- |"]
        var details: [String] = []
        var failures = 0
        for row in rows {
            print("checking \(row.address)")
            var lines = ["## \(row.address)", ""]
            var incoming: ServerSettings?
            var outgoing: ServerSettings?
            var origin = row.server == nil ? "discovery" : "given"
            var problem: String?
            if let server = row.server {
                let security = try ConnectionOptions.security(row.security, option: "security column")
                guard let endpoint = Endpoint(parsing: server, security: security) else {
                    throw CommandLineArguments.UsageError("\(row.address): server must be HOST:PORT, not \(server)")
                }
                incoming = ServerSettings(host: endpoint.host, port: endpoint.port, security: security, user: row.user ?? row.address)
            } else {
                do {
                    let found = try await SettingsDiscovery.using(discoverer)(try EmailAddress(row.address))
                    incoming = found.incoming
                    outgoing = found.outgoing
                    origin = found.origin + (found.requiresConfirmation ? ", needs confirmation" : "")
                    if let user = row.user { incoming?.user = user }
                } catch {
                    problem = LinkDiagnosis(error).description
                }
            }
            if let incoming {
                lines.append("- POP3: `\(incoming.host):\(incoming.port)` (\(incoming.security)), user `\(incoming.user)`")
                if let outgoing { lines.append("- SMTP: `\(outgoing.host):\(outgoing.port)` (\(outgoing.security)), user `\(outgoing.user)`") }
                lines.append("- settings from: \(origin)")
                let password = row.passwordFile.flatMap { FileManager.default.contents(atPath: $0) }
                    .map { ConnectionOptions.firstLine(of: Array($0)) }
                let check = ConnectionCheck(
                    incoming: incoming, outgoing: outgoing, tlsPolicy: policy, timeouts: timeouts)
                let steps = StepLog()
                // No password: the steps up to sign-in run, and no sign-in is attempted (a failed
                // login at a provider counts towards locking the account).
                let diagnosis = await check.run(secret: password.map { .password($0) }) { steps.append($0) }
                lines.append("")
                lines += steps.all.map { "    \($0.description)" }
                if let diagnosis {
                    problem = diagnosis.description
                } else if password == nil {
                    lines.append("    (no password given: sign-in not checked)")
                }
            }
            if let problem {
                failures += 1
                lines += ["", "**Problem**", "", "```", problem, "```"]
            }
            let result = problem == nil ? "OK" : "problem: " + (problem?.split(separator: "\n").first.map(String.init) ?? "")
            summary.append("| \(row.address) | \(incoming.map { "\($0.host):\($0.port) \($0.security)" } ?? "none") | \(origin) | \(result.replacingOccurrences(of: "|", with: "\\|")) |")
            details += lines + [""]
            print("  \(result)")
        }
        report += summary + [""] + details
        try report.joined(separator: "\n").write(toFile: reportPath, atomically: true, encoding: .utf8)
        print("\(rows.count - failures) accounts OK, \(failures) with problems; report written to \(reportPath)")
        return failures == 0 ? .success : .failure
    }

    /// Reads the CSV (RFC 4180, by ``CSVTable``: a header row naming the columns); records whose
    /// first field starts with `#` are comments.
    static func parse(_ text: String) throws -> [Row] {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch let error as CSVTable.ParseError {
            throw CommandLineArguments.UsageError("the CSV is not valid: \(error)")
        }
        guard table.columns.contains("address") else {
            throw CommandLineArguments.UsageError("the CSV header must name an 'address' column")
        }
        return table.records.filter { !($0.first?.hasPrefix("#") ?? false) }.map { record in
            Row(
                address: table.value("address", in: record) ?? "",
                passwordFile: table.value("password_file", in: record), server: table.value("server", in: record),
                security: table.value("security", in: record), user: table.value("user", in: record))
        }
    }
}

/// Collects checklist steps reported from a `@Sendable` callback.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [ConnectionCheck.Step] = []
    func append(_ step: ConnectionCheck.Step) { lock.withLock { steps.append(step) } }
    var all: [ConnectionCheck.Step] { lock.withLock { steps } }
}
