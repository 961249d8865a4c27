import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail update --protocol`: a POP3 account moved to IMAP (and refused without a server it
/// can trust), over loopback TLS with the fakes of ``AccountCommandsTests``.
@Suite("linkmail update --protocol imap|pop3", .serialized)
struct UpdateProtocolTests {
    typealias Fixture = AccountCommandsTests.Fixture

    @Test("update --protocol imap --server moves a POP3 account to IMAP; the next sync imports only new mail")
    func toIMAP() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        #expect(try await fixture.initialize().status == 0)
        #expect(try await fixture.add().status == 0)
        let confirmed = try await fixture.run(["confirm", try fixture.confirmation().link, "--home", fixture.home])
        #expect(confirmed.standardOutput.contains("fetched 3 new messages"), "\(confirmed)")

        // The same mailbox over IMAP: the three messages POP3 imported, and one new.
        let imap = FakeIMAPServer(accounts: SASLServerAccounts(passwords: [Fixture.linked: "linked-pw"]))
        for number in 1...3 {
            imap.deliver(
                FakeIMAPMessage(text: "From: a@b.test\r\nSubject: old \(number)\r\n\r\nbody \(number)\r\n"),
                to: Fixture.linked)
        }
        imap.deliver(FakeIMAPMessage(text: "From: a@b.test\r\nSubject: new\r\n\r\nnew\r\n"), to: Fixture.linked)
        // Its certificate comes from yet another CA, which only the update's --ca makes trusted.
        let imapAuthority = try TestCertificateAuthority(commonName: "IMAP server CA")
        defer { imapAuthority.remove() }
        let listener = try imap.listen(certificate: try imapAuthority.issue(), implicitTLS: true)
        defer { listener.close() }

        let updated = try await fixture.run(
            [
                "update", Fixture.linked, "--home", fixture.home, "--protocol", "imap",
                "--server", "127.0.0.1:\(listener.port)", "--security", "tls", "--ca", imapAuthority.caFile,
            ])
        #expect(updated.status == 0, "\(updated)")
        #expect(updated.standardOutput.contains("at 127.0.0.1:\(listener.port) (tls) over imap"), "\(updated)")
        let accounts = try await fixture.run(["accounts", "--home", fixture.home])
        #expect(accounts.standardOutput.contains("over imap"), "\(accounts)")
        let json = try await fixture.run(["accounts", "--home", fixture.home, "--json"])
        #expect(json.standardOutput.contains(imapAuthority.caFile), "\(json)")
        #expect(!json.standardOutput.contains(fixture.pop3Authority.caFile), "--ca replaces the account's extra trust")

        let synced = try await fixture.run(["sync", "--home", fixture.home, "--once"])
        #expect(synced.status == 0, "\(synced)")
        #expect(synced.standardOutput.contains("fetched 1 new messages"), "\(synced)")
        #expect(fixture.files(in: ".you@linked_test").count == 4)
        #expect(imap.receivedCommands.contains { $0.uppercased().contains("BODY.PEEK[]") })
    }

    @Test("update --protocol: bad values and server flags without it are usage errors; no server found exits 1")
    func refusals() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        #expect(try await fixture.initialize().status == 0)
        #expect(try await fixture.add().status == 0)
        let home = ["--home", fixture.home]
        #expect(try await fixture.run(["update", Fixture.linked] + home + ["--protocol", "smtp"]).status == 2)
        #expect(try await fixture.run(["update", Fixture.linked] + home + ["--server", "127.0.0.1:1"]).status == 2)
        #expect(try await fixture.run(["update", Fixture.linked] + home + ["--mailbox", "Archive"]).status == 2)
        // linked.test is in no table and discovery is offline: nothing is changed.
        let unknown = try await fixture.run(["update", Fixture.linked] + home + ["--protocol", "imap", "--offline"])
        #expect(unknown.status == 1, "\(unknown)")
        #expect(unknown.standardError.contains("linked.test"), "\(unknown)")
        let accounts = try await fixture.run(["accounts", "--home", fixture.home])
        #expect(accounts.standardOutput.contains("over pop3"), "\(accounts)")
    }
}
