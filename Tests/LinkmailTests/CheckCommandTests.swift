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

    /// Runs `linkmail check` over implicit TLS against a fake trusting a fresh CA (passed with
    /// `--ca` unless `systemTrust` is given: then it is found, or not, in the system's trust,
    /// which `systemTrust` sets through the environment for the CA's hashed directory).
    private func check(
        _ extra: [String], environment: [String: String],
        systemTrust: ((_ hashedDirectory: String, _ caFile: String) -> [String: String])? = nil
    ) async throws -> ExecutableRunner.Result {
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        var environment = environment
        if let systemTrust {
            environment.merge(systemTrust(try authority.hashedDirectory(), authority.caFile)) { $1 }
        }
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["frank": "pw"]))
        server.deliver(FakePOP3Message(uid: "a", text: "Subject: a\n\nbody\n"), to: "frank")
        let listener = try server.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }
        return try await LinkmailRunner.run(
            [
                "check", "--server", "127.0.0.1:\(listener.port)", "--security", "tls",
                "--user", "frank", "--timeout", LinkmailRunner.timeout,
            ] + (systemTrust == nil ? ["--ca", authority.caFile] : []) + extra, environment: environment)
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

    @Test("without --ca, the system's trust is read from a hashed SSL_CERT_DIR, or from SSL_CERT_FILE")
    func systemTrust() async throws {
        let fromDirectory = try await check([], environment: password) { directory, _ in ["SSL_CERT_DIR": directory] }
        #expect(fromDirectory.status == 0, "\(fromDirectory.standardOutput)\(fromDirectory.standardError)")
        let fromFile = try await check([], environment: password) { _, caFile in
            ["SSL_CERT_FILE": caFile, "SSL_CERT_DIR": "/nonexistent-maillink"]
        }
        #expect(fromFile.status == 0, "\(fromFile.standardOutput)\(fromFile.standardError)")
    }

    @Test("without --ca, a CA in neither SSL_CERT_DIR nor SSL_CERT_FILE is not trusted")
    func systemTrustWithoutTheCA() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("trust-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let run = try await check([], environment: password) { _, _ in
            ["SSL_CERT_DIR": empty, "SSL_CERT_FILE": empty + "/none.pem"]
        }
        #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.lowercased().contains("certificate"), "\(run.standardOutput)")
    }
}
