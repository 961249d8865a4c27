import Foundation
import MailTesting
import MailTransport
import TestbedSupport
import Testing

/// `linkmail check` against ``MailTesting/FakePOP3Server`` on loopback: the exit status says
/// whether every step passed, and `--json` prints one JSON document instead of the lines.
@Suite("linkmail check against a fake POP3 server")
struct CheckCommandTests {
    private let password = ["LINKMAIL_PASSWORD": "pw"]

    /// Runs `linkmail check` over implicit TLS against a fake trusting a fresh CA.
    private func check(_ extra: [String], environment: [String: String]) async throws -> ExecutableRunner.Result {
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["frank": "pw"]))
        server.deliver(FakePOP3Message(uid: "a", text: "Subject: a\n\nbody\n"), to: "frank")
        let listener = try server.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }
        return try await LinkmailRunner.run(
            [
                "check", "--server", "127.0.0.1:\(listener.port)", "--security", "tls", "--ca", authority.caFile,
                "--user", "frank", "--timeout", LinkmailRunner.timeout,
            ] + extra, environment: environment)
    }

    /// The single JSON object on standard output.
    private func document(_ output: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        return try #require(object as? [String: Any])
    }

    @Test("every step passing prints PASS lines and exits 0")
    func passes() async throws {
        let run = try await check([], environment: password)
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("PASS POP3 login"))
        #expect(run.standardOutput.hasSuffix("every step passed\n"))
    }

    @Test("--json prints one document with every step and exits 0 when all pass")
    func jsonPasses() async throws {
        let run = try await check(["--json"], environment: password)
        #expect(run.status == 0, "\(run.standardError)")
        let json = try document(run.standardOutput)
        #expect(json["passed"] as? Bool == true)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(!steps.isEmpty)
        #expect(steps.allSatisfy { $0["passed"] as? Bool == true && $0["name"] is String && $0["detail"] is String })
        #expect(json["error"] == nil)
    }

    @Test("--json with a wrong password: exit 1, the failed step and the diagnosis in the document")
    func jsonFails() async throws {
        let run = try await check(["--json"], environment: ["LINKMAIL_PASSWORD": "wrong"])
        #expect(run.status == 1)
        let json = try document(run.standardOutput)
        #expect(json["passed"] as? Bool == false)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.last?["passed"] as? Bool == false)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["stage"] as? String == "authentication")
        #expect(!run.standardOutput.contains("wrong"))
    }
}
