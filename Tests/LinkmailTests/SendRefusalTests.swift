import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail send` refuses hostile input before it connects (exit 2, bad usage): addresses that
/// would turn into other addresses, and header injection through the subject or a file name.
/// The server flag names a closed loopback port, so a command that tried to connect would exit 1.
@Suite("linkmail send refuses hostile input before connecting")
struct SendRefusalTests {
    private let closedServer = ["--server", "127.0.0.1:1", "--security", "plain", "--timeout", "5"]

    @Test(
        "a hostile address exits 2 without connecting",
        arguments: [
            "a@b.test\r\nRCPT TO:<c@d.test>", "a b@c.test", "a\u{01}b@c.test", "Joe@Work <joe@b.test>",
            "a\u{7F}b@c.test",
        ])
    func hostileAddress(address: String) async throws {
        let asRecipient = try await LinkmailRunner.run(
            ["send"] + closedServer + ["--from", "me@example.test", "--to", address])
        #expect(asRecipient.status == 2, "\(asRecipient)")
        let asSender = try await LinkmailRunner.run(
            ["send"] + closedServer + ["--from", address, "--to", "you@example.test"])
        #expect(asSender.status == 2, "\(asSender)")
    }

    @Test(
        "a subject with CR or LF exits 2 without connecting",
        arguments: ["Hi\r\nBcc: x@evil.test", "Hi\nX: y", "Hi\rX: y"])
    func subjectInjection(subject: String) async throws {
        let result = try await LinkmailRunner.run(
            ["send"] + closedServer + ["--from", "me@example.test", "--to", "you@example.test", "--subject", subject])
        #expect(result.status == 2, "\(result)")
    }

    @Test("an attachment whose file name has CR/LF exits 2 without connecting")
    func attachmentNameInjection() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "maillink-attach-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.path + "/a\r\nX-Injected: yes.txt"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        let result = try await LinkmailRunner.run(
            ["send"] + closedServer + ["--from", "me@example.test", "--to", "you@example.test", "--attach", path])
        #expect(result.status == 2, "\(result)")
    }
}
