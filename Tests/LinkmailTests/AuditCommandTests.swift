import Foundation
import MailAuth
import MailTesting
import MailTransport
import TestbedSupport
import Testing

@Suite("linkmail audit")
struct AuditCommandTests {
    @Test("checks every row of the CSV and writes a report of settings and problems")
    func audit() async throws {
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["ok@example.test": "s3cret-right"]))
        let listener = try server.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }
        let directory = NSTemporaryDirectory() + "linkmail-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "s3cret-right\n".write(toFile: directory + "/right", atomically: true, encoding: .utf8)
        try "s3cret-wrong\n".write(toFile: directory + "/wrong", atomically: true, encoding: .utf8)
        let csv = """
            address,password_file,server,security,user,protocol
            ok@example.test,\(directory)/right,127.0.0.1:\(listener.port),tls,,
            "ok@example.test",\(directory)/wrong,127.0.0.1:\(listener.port),tls,ok@example.test,
            someone@icloud.com,,,,,pop3
            """
        try csv.write(toFile: directory + "/accounts.csv", atomically: true, encoding: .utf8)
        let result = try await LinkmailRunner.run([
            "audit", directory + "/accounts.csv", "--report", directory + "/report.md", "--offline", "--ca", authority.caFile,
        ])
        #expect(result.status == 1, "\(result)")
        #expect(result.lastLine.hasPrefix("1 accounts OK, 2 with problems"))
        #expect(result.standardOutput.contains("Ready: ok@example.test"))
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("| Ready | 1: ok@example.test |"))
        #expect(report.contains("- POP3: `127.0.0.1:\(listener.port) tls`, user `ok@example.test`"))
        #expect(report.contains("- settings from: given in the list"))
        #expect(report.contains("**Problem** (authentication): authentication failed"))
        #expect(!report.contains("POP3Error"), "no Swift type names")
        #expect(report.contains("iCloud Mail offers no POP3"))
        #expect(report.components(separatedBy: "IMAP only").count == 2, "the provider's note once")
        #expect(report.contains("PASS POP3 login"))
        #expect(!report.contains("s3cret"), "no password in the report")
        #expect(!result.standardOutput.contains("s3cret") && !result.standardError.contains("s3cret"))
    }

    /// One account (`ok@example.test`, password `s3cret-right`) on a fake POP3 server over
    /// implicit TLS, a scratch folder, and `linkmail audit` over a CSV written into it.
    private final class Fixture {
        let authority: TestCertificateAuthority
        let certificate: TestCertificateAuthority.ServerCertificate
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["ok@example.test": "s3cret-right"]))
        let listener: LoopbackListener
        let directory = NSTemporaryDirectory() + "linkmail-audit-\(UUID().uuidString)"

        init() throws {
            authority = try TestCertificateAuthority()
            certificate = try authority.issue()
            listener = try server.listen(certificate: certificate, implicitTLS: true)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        deinit {
            listener.close()
            authority.remove()
            try? FileManager.default.removeItem(atPath: directory)
        }

        var server127: String { "127.0.0.1:\(listener.port)" }

        /// Writes `csv` and runs the audit with `extra` options (trusting the CA unless told not to).
        func audit(_ csv: String, trustingCA: Bool = true, _ extra: [String] = []) async throws -> ExecutableRunner.Result {
            try csv.write(toFile: directory + "/accounts.csv", atomically: true, encoding: .utf8)
            return try await LinkmailRunner.run(
                ["audit", directory + "/accounts.csv", "--report", directory + "/report.md", "--offline"]
                    + (trustingCA ? ["--ca", authority.caFile] : []) + extra)
        }

        func report() throws -> String { try String(contentsOfFile: directory + "/report.md", encoding: .utf8) }

        /// Sign-in commands the server received.
        var signIns: [String] {
            server.receivedCommands.filter { ["USER", "PASS", "AUTH", "APOP"].contains($0.split(separator: " ").first.map { $0.uppercased() }) }
        }
    }

    @Test("owner and unknown columns reach the report; --json writes the same audit as one JSON document")
    func ownerColumnsAndJSON() async throws {
        let fixture = try Fixture()
        try "s3cret-right\n".write(toFile: fixture.directory + "/right", atomically: true, encoding: .utf8)
        let result = try await fixture.audit(
            "address,owner,password_file,server,security,team\nok@example.test,Olga Kovacs,\(fixture.directory)/right,\(fixture.server127),tls,sales\n",
            ["--json", fixture.directory + "/report.json", "--concurrency", "2"])
        #expect(result.status == 0, "\(result)")
        let report = try fixture.report()
        #expect(report.contains("- owner: Olga Kovacs"))
        #expect(report.contains("- team: sales"))
        #expect(report.contains("> **Pilot:**"), "one provider: the pilot warning")
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/report.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let account = try #require((object["accounts"] as? [[String: Any]])?.first)
        #expect(account["category"] as? String == "ready")
        #expect(account["owner"] as? String == "Olga Kovacs")
        #expect(!String(decoding: data, as: UTF8.self).contains("s3cret"))
        #expect(try await fixture.audit("address\nok@example.test\n", ["--concurrency", "0"]).status == 2)
    }

    @Test("a row without a password file is checked up to sign-in and never signs in (no failed login counted)")
    func rowWithoutPassword() async throws {
        let fixture = try Fixture()
        let result = try await fixture.audit("address,password_file,server,security,user\nok@example.test,,\(fixture.server127),tls,\n")
        #expect(result.status == 0, "\(result)")
        let report = try fixture.report()
        #expect(report.contains("PASS POP3 greeting"))
        #expect(report.contains("SKIP POP3 login: not attempted: no password given"))
        #expect(fixture.signIns.isEmpty, "sign-in commands sent: \(fixture.signIns)")
    }

    @Test("a password file with CRLF line ends gives its first line as the password")
    func crlfPasswordFile() async throws {
        let fixture = try Fixture()
        try "s3cret-right\r\nsecond line\r\n".write(toFile: fixture.directory + "/crlf", atomically: true, encoding: .utf8)
        let result = try await fixture.audit(
            "address,password_file,server,security,user\nok@example.test,\(fixture.directory)/crlf,\(fixture.server127),tls,\n")
        #expect(result.status == 0, "\(result)")
        #expect(try fixture.report().contains("PASS POP3 login"))
    }

    @Test("quoted CSV fields with doubled quotes are read whole, and --pin is applied to every row")
    func quotedFieldsAndPin() async throws {
        let fixture = try Fixture()
        try "s3cret-right\n".write(toFile: fixture.directory + "/a \"quoted\" name", atomically: true, encoding: .utf8)
        let csv = "address,password_file,server,security\r\nok@example.test,\"\(fixture.directory)/a \"\"quoted\"\" name\",\(fixture.server127),tls\r\n"
        let quoted = try await fixture.audit(csv)
        #expect(quoted.status == 0, "\(quoted)")
        #expect(try fixture.report().contains("PASS POP3 login"))
        // Without the CA, the certificate is trusted only through its pin.
        #expect(try await fixture.audit(csv, trustingCA: false).status == 1)
        let pinned = try await fixture.audit(csv, trustingCA: false, ["--pin", fixture.certificate.fingerprint.description])
        #expect(pinned.status == 0, "\(pinned)")
        #expect(try fixture.report().contains("PASS POP3 login"))
    }

    @Test("a CSV without an address column, or no --report, is a usage error")
    func usage() async throws {
        let path = NSTemporaryDirectory() + "linkmail-audit-\(UUID().uuidString).csv"
        try "mail,server\nx@example.test,\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await LinkmailRunner.run(["audit", path, "--report", path + ".md"]).status == 2)
        #expect(try await LinkmailRunner.run(["audit", path]).status == 2)
    }
}
