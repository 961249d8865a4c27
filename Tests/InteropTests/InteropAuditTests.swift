import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail audit` against the bench's Dovecot: a ready account, one without a password (never
/// signed in: Dovecot's log shows no attempt), one with a wrong password (Dovecot's own words).
@Suite("Interop: linkmail audit", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropAuditTests {
    @Test("the report sorts the rows by what stands in the way; the row without a password is never signed in")
    func audit() async throws {
        let bench = try TestbedEnvironment.required()
        let alice = try bench.claimUser("alice")
        let work = NSTemporaryDirectory() + "linkmail-interop-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data((alice.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/alice"))
        try Data("not-the-password\n".utf8).write(to: URL(fileURLWithPath: work + "/wrong"))
        let server = "\(bench.host):\(bench.pop3sPort)"
        let absent = "audit-nopass-\(UUID().uuidString.prefix(8).lowercased())@example.test"
        let csv = """
            address,owner,password_file,server,security
            \(alice.address),Alice,\(work)/alice,\(server),tls
            \(absent),Nobody,,\(server),tls
            audit-wrong@example.test,Wrong,\(work)/wrong,\(server),tls
            """
        try csv.write(toFile: work + "/accounts.csv", atomically: true, encoding: .utf8)
        let logPath = bench.values["MAILLINK_DOVECOT_LOG"] ?? ""
        let logBefore = (try? String(contentsOfFile: logPath, encoding: .utf8))?.count ?? 0
        let result = try await ExecutableRunner.run(
            "linkmail",
            ["audit", work + "/accounts.csv", "--report", work + "/report.md", "--json", work + "/report.json", "--offline",
             "--ca", bench.caFile, "--timeout", "20"],
            unset: ["LINKMAIL_PASSWORD"])
        #expect(result.status == 1, "\(result)")
        let report = try String(contentsOfFile: work + "/report.md", encoding: .utf8)
        #expect(report.contains("| Ready | 1: \(alice.address) |"), "\(report)")
        #expect(report.contains("| No password given (checked up to sign-in) | 1: \(absent) |"))
        #expect(report.contains("PASS POP3 mailbox"))
        #expect(report.contains("SKIP POP3 login: not attempted"))
        #expect(report.contains("The server said: `[AUTH] Authentication failed.`") || report.contains("Authentication failed"), "\(report)")
        #expect(report.contains("## Checklist for the administrator"))
        #expect(!report.contains(alice.password))
        let data = try Data(contentsOf: URL(fileURLWithPath: work + "/report.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let categories = (object["accounts"] as? [[String: Any]])?.map { $0["category"] as? String }
        #expect(categories == ["ready", "no-password", "other"])
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(!log.dropFirst(logBefore).contains(absent), "no sign-in was attempted for the row without a password")
        #expect(log.dropFirst(logBefore).contains("audit-wrong@example.test"), "the wrong password was tried, so Dovecot logged it")
    }
}
