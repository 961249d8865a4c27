import AccountLinking
import AutoDiscovery
import MailAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `linkmail audit ACCOUNTS.csv --report FILE.md [--json FILE] [--concurrency N] [discovery options]
/// [--ca FILE] [--pin SHA256] [--timeout SECONDS]`: the roll-out check (AccountLinking's
/// `RolloutAudit`), written as a Markdown report (and JSON with `--json`).
///
/// The CSV (RFC 4180) has a header row; columns (only `address` is required):
/// `address,owner,password_file,server,security,user,protocol`; other columns are kept in the
/// report. Secrets never sit in the CSV: `password_file` names a file whose first line is the
/// password (an account without one is checked up to sign-in, and no sign-in is attempted).
enum AuditCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ["report", "json", "concurrency", "dns", "autoconfig-base", "ispdb", "ca", "pin", "timeout"],
            flagOptions: ["offline", "probe"])
        let csvPath = try arguments.requirePositionals(["ACCOUNTS.csv"])[0]
        guard let reportPath = arguments.value("report") else { throw CommandLineArguments.UsageError("--report FILE.md is required") }
        guard let text = try? String(contentsOfFile: csvPath, encoding: .utf8) else {
            throw CommandLineArguments.UsageError("cannot read \(csvPath)")
        }
        let accounts = try parse(text)
        let discoverer = AutoDiscoverer(configuration: try DiscoverCommand.makeConfiguration(arguments))
        // The same trust flags as every command (`--ca`, `--pin`, `--timeout`), built in one place.
        let connection = try ConnectionOptions.policy(arguments)
        let audit = RolloutAudit(
            discover: SettingsDiscovery.using(discoverer, offering: [.pop3]), tlsPolicy: connection.tlsPolicy,
            timeouts: connection.timeouts(over: .all(.seconds(15))),
            concurrency: try arguments.integer("concurrency", in: 1...64) ?? 4)
        let display = ProgressDisplay()
        let report = await audit.run(accounts, source: URL(fileURLWithPath: csvPath).lastPathComponent) { done, total, address in
            display.show(done: done, total: total, address: address)
        }
        display.finish()
        do {
            try report.markdown.write(toFile: reportPath, atomically: true, encoding: .utf8)
            if let jsonPath = arguments.value("json") {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                try (try encoder.encode(report) + Data([0x0A])).write(to: URL(fileURLWithPath: jsonPath))
            }
        } catch {
            printError("cannot write the report: \(systemReason(of: error) ?? "\(error)")")
            return .failure
        }
        for (category, members) in report.byCategory {
            print("\(category.title): \(members.map(\.address).joined(separator: ", "))")
        }
        if let warning = report.pilotWarning { print("note: \(warning)") }
        let problems = report.accounts.filter { $0.problem != nil }.count
        print("\(report.accounts.count - problems) accounts OK, \(problems) with problems; report written to \(reportPath)")
        return problems == 0 ? .success : .failure
    }

    /// Reads the CSV (RFC 4180, by `CSVTable`: a header row naming the columns) into the audit's
    /// accounts, reading each password file's first line; records whose first field starts with
    /// `#` are comments.
    static func parse(_ text: String) throws -> [RolloutAudit.Account] {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch let error as CSVTable.ParseError {
            throw CommandLineArguments.UsageError("the CSV is not valid: \(error)")
        }
        guard table.columns.contains("address") else {
            throw CommandLineArguments.UsageError("the CSV header must name an 'address' column")
        }
        let known: Set<String> = ["address", "owner", "password_file", "server", "security", "user", "protocol"]
        return try table.records.filter { !($0.first?.hasPrefix("#") ?? false) }.map { record in
            let address = table.value("address", in: record) ?? ""
            var incoming: ServerSettings?
            if let server = table.value("server", in: record) {
                let security = try ConnectionOptions.security(table.value("security", in: record), option: "security column")
                guard let endpoint = Endpoint(parsing: server, security: security) else {
                    throw CommandLineArguments.UsageError("\(address): server must be HOST:PORT, not \(server)")
                }
                incoming = ServerSettings(
                    host: endpoint.host, port: endpoint.port, security: security, user: table.value("user", in: record) ?? address)
            }
            let password = try table.value("password_file", in: record).map { path in
                guard let bytes = FileManager.default.contents(atPath: path) else {
                    throw CommandLineArguments.UsageError("\(address): cannot read the password file \(path)")
                }
                return ConnectionOptions.firstLine(of: Array(bytes))
            }
            var extra: [String: String] = [:]
            for column in table.columns where !known.contains(column) {
                if let value = table.value(column, in: record) { extra[column] = value }
            }
            return RolloutAudit.Account(
                address: address, owner: table.value("owner", in: record), secret: password.map { .password($0) },
                incoming: incoming, mailProtocol: table.value("protocol", in: record), extra: extra)
        }
    }
}

/// The audit's progress: a bar redrawn in place on a terminal, a line per account otherwise.
private final class ProgressDisplay: Sendable {
    private let isTerminal = isatty(STDOUT_FILENO) == 1

    func show(done: Int, total: Int, address: String) {
        guard isTerminal else {
            Output.write("checked \(address) (\(done)/\(total))\n")
            return
        }
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        Output.write("\r[\(bar)] \(done)/\(total) \(address)\u{1B}[K")
    }

    func finish() {
        if isTerminal { Output.write("\n") }
    }
}
