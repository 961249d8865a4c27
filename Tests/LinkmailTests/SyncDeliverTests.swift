import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail sync --deliver lmtp://…`, offline: the fakes of ``AccountCommandsTests`` and a fake LMTP server.
@Suite("linkmail sync --deliver: into a mail server over LMTP instead of the home's Maildir")
struct SyncDeliverTests {
    typealias Fixture = AccountCommandsTests.Fixture

    @Test("new mail goes to the folder's LMTP address, once; the home's Maildir is left alone")
    func deliversOverLMTP() async throws {
        let fixture = try await SyncCommandTests().confirmedHome()
        defer { fixture.close() }
        let lmtp = FakeLMTPServer()
        let listener = try lmtp.listen()
        defer { listener.close() }
        fixture.pop3.deliver(
            FakePOP3Message(uid: "late", text: "From: a@b.test\r\nSubject: late\r\n\r\nlate\r\n"), to: Fixture.linked)
        let delivery = ["--deliver", "lmtp://127.0.0.1:\(listener.port)", "--recipient", "judy+{folder}@example.test"]
        let first = try await fixture.run(["sync", "--home", fixture.home, "--once", "--json"] + delivery)
        #expect(first.status == 0, "\(first)")
        #expect(first.standardOutput.contains("\"fetched\":1"), "\(first.standardOutput)")
        #expect(lmtp.deliveries.map(\.recipient) == ["\"judy+you@linked_test\"@example.test"])
        #expect(lmtp.deliveries.first?.data == Array("From: a@b.test\r\nSubject: late\r\n\r\nlate\r\n".utf8))
        #expect(fixture.files(in: ".you@linked_test").count == 3, "only what confirm synced into the Maildir")
        let again = try await fixture.run(["sync", "--home", fixture.home, "--once", "--json"] + delivery)
        #expect(again.standardOutput.contains("\"fetched\":0"), "\(again.standardOutput)")
        #expect(lmtp.deliveries.count == 1)
        #expect(lmtp.violations.isEmpty)
    }

    @Test("confirm --deliver: the first sync goes over LMTP too, and the home's Maildir gets nothing")
    func confirmDelivers() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        #expect(try await fixture.initialize().status == 0)
        #expect(try await fixture.add().status == 0)
        let lmtp = FakeLMTPServer()
        let listener = try lmtp.listen()
        defer { listener.close() }
        let delivery = ["--deliver", "lmtp://127.0.0.1:\(listener.port)", "--recipient", "judy+{folder}@example.test"]
        let confirmed = try await fixture.run(["confirm", try fixture.confirmation().link, "--home", fixture.home] + delivery)
        #expect(confirmed.status == 0, "\(confirmed)")
        #expect(confirmed.standardOutput.contains("fetched 3 new messages"), "\(confirmed.standardOutput)")
        #expect(lmtp.deliveries.count == 3)
        #expect(Set(lmtp.deliveries.map(\.recipient)) == ["\"judy+you@linked_test\"@example.test"])
        #expect(fixture.files(in: ".you@linked_test").isEmpty)
        let again = try await fixture.run(["sync", "--home", fixture.home, "--once", "--json"] + delivery)
        #expect(again.standardOutput.contains("\"fetched\":0"), "\(again.standardOutput)")
        #expect(lmtp.deliveries.count == 3)
        let bad = try await fixture.run(["confirm", "ABCDEFGH", "--home", fixture.home, "--recipient", "judy@example.test"])
        #expect(bad.status == 2, "\(bad)")
    }

    @Test("a bad --deliver or --recipient is bad usage")
    func usage() async throws {
        let fixture = try await SyncCommandTests().confirmedHome()
        defer { fixture.close() }
        for bad in [
            ["--deliver", "http://127.0.0.1:24", "--recipient", "judy@example.test"],
            ["--deliver", "lmtp://127.0.0.1", "--recipient", "judy@example.test"],
            ["--deliver", "lmtp://127.0.0.1:24"],
            ["--recipient", "judy+{folder}@example.test"],
            ["--deliver", "lmtp://127.0.0.1:24", "--recipient", "judy@{folder}.test"],
        ] {
            let result = try await fixture.run(["sync", "--home", fixture.home, "--once"] + bad)
            #expect(result.status == 2, "\(bad): \(result)")
        }
    }
}
