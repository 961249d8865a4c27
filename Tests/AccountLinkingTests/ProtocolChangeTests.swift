import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Testing

/// Changing a linked account's incoming protocol (``AccountLinker/update(_:_:)`` with
/// ``AccountLinker/AccountChange/incomingProtocol``): the account follows, and the sync record of
/// the old protocol is never read as the new one's, so nothing already imported comes in twice.
@Suite("Changing an account's incoming protocol")
struct ProtocolChangeTests {
    static let address = try! EmailAddress(LinkerFixture.linked)
    static let pop3Settings = ServerSettings(
        host: "pop.example.net", port: 995, security: .tls, user: LinkerFixture.linked)
    static let imapSettings = ServerSettings(
        host: "imap.example.net", port: 993, security: .tls, user: LinkerFixture.linked)

    static func text(_ number: Int) -> String {
        "To: linked@example.net\r\nSubject: mail \(number)\r\n\r\nbody \(number)\r\n"
    }

    /// A POP3 and an IMAP server of the same mailbox, and a linker reaching both.
    struct Servers {
        let pop3 = FakePOP3Server(
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
        let imap = FakeIMAPServer(
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
        let fixture: LinkerFixture

        init(discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)? = nil) throws {
            fixture = try LinkerFixture(
                discover: discover,
                connector: FakeNetwork(["pop.example.net": pop3.connector, "imap.example.net": imap.connector]))
        }

        /// Links and confirms the account over POP3; the first sync has run.
        func confirmedOverPOP3() async throws -> AccountLinker {
            let linker = fixture.makeLinker()
            _ = await fixture.link(linker, options: .init(incoming: ProtocolChangeTests.pop3Settings))
            _ = try await linker.confirm(try fixture.lastConfirmation().link)
            await linker.waitForPendingSyncs()
            return linker
        }
    }

    @Test("POP3 to IMAP: the account syncs over IMAP and the mail POP3 imported is recognised, not imported again")
    func pop3ToIMAP() async throws {
        let servers = try Servers()
        for number in 1...5 {
            servers.pop3.deliver(FakePOP3Message(uid: "u\(number)", text: Self.text(number)), to: LinkerFixture.linked)
        }
        let linker = try await servers.confirmedOverPOP3()
        let folder = try #require(await linker.account(Self.address)).folder
        #expect(try await servers.fixture.stored(in: folder).count == 5)

        // On the IMAP side only one of the five is still in INBOX, and one new message came: too
        // few for the ids to look like a wholesale reset, so only the record's protocol tells.
        servers.imap.deliver(FakeIMAPMessage(text: Self.text(5)), to: LinkerFixture.linked)
        servers.imap.deliver(FakeIMAPMessage(text: Self.text(6)), to: LinkerFixture.linked)
        let updated = try await linker.update(
            Self.address, .init(incoming: Self.imapSettings, incomingProtocol: .imap))
        #expect(updated.incomingProtocol == .imap && updated.incoming == Self.imapSettings)
        #expect(try await servers.fixture.accounts.account(updated.id)?.incomingProtocol == .imap)

        let report = try await linker.sync(Self.address).get()
        #expect(report.fetched == 1, "\(report)")
        #expect(report.recognisedByContent == 1, "\(report)")
        #expect(try await servers.fixture.stored(in: folder).count == 6)
        #expect(servers.imap.receivedCommands.contains { $0.uppercased().contains("BODY.PEEK[]") })
        let state = try await servers.fixture.configuration.syncState.state(for: updated.id.rawValue)
        #expect(state.incomingProtocol == .imap)
        #expect(state.messages.keys.allSatisfy { !$0.hasPrefix("u") }, "no POP3 UIDL is left in the record")

        let again = try await linker.sync(Self.address).get()
        #expect(again.fetched == 0 && again.listed == 2)
    }

    @Test("IMAP back to POP3: the IMAP record is not read as POP3's, and nothing comes in twice")
    func imapToPOP3() async throws {
        let servers = try Servers()
        for number in 1...2 {
            servers.pop3.deliver(FakePOP3Message(uid: "u\(number)", text: Self.text(number)), to: LinkerFixture.linked)
        }
        let linker = try await servers.confirmedOverPOP3()
        servers.imap.deliver(FakeIMAPMessage(text: Self.text(2)), to: LinkerFixture.linked)
        try await linker.update(Self.address, .init(incoming: Self.imapSettings, incomingProtocol: .imap))
        _ = try await linker.sync(Self.address).get()

        servers.pop3.deliver(FakePOP3Message(uid: "u3", text: Self.text(3)), to: LinkerFixture.linked)
        let back = try await linker.update(Self.address, .init(incoming: Self.pop3Settings, incomingProtocol: .pop3))
        #expect(back.incomingProtocol == .pop3)
        let report = try await linker.sync(Self.address).get()
        // u1 and u2 are found in the store under their own UIDLs, which POP3 stored them with.
        #expect(report.fetched == 1 && report.recovered + report.recognisedByContent == 2, "\(report)")
        let state = try await servers.fixture.configuration.syncState.state(for: back.id.rawValue)
        #expect(state.incomingProtocol == .pop3 && state.mailboxes == nil)
        #expect(try await servers.fixture.stored(in: back.folder).count == 3)
    }

    @Test("a record written before records said their protocol is taken as the old protocol's when the account changes")
    func unlabelledRecord() async throws {
        let servers = try Servers()
        servers.pop3.deliver(FakePOP3Message(uid: "u1", text: Self.text(1)), to: LinkerFixture.linked)
        let linker = try await servers.confirmedOverPOP3()
        let id = AccountID(Self.address)
        let store = servers.fixture.configuration.syncState
        var old = try await store.state(for: id.rawValue)
        old.incomingProtocol = nil
        try await store.save(old, for: id.rawValue)
        servers.imap.deliver(FakeIMAPMessage(text: Self.text(1)), to: LinkerFixture.linked)
        try await linker.update(Self.address, .init(incoming: Self.imapSettings, incomingProtocol: .imap))
        #expect(try await store.state(for: id.rawValue).incomingProtocol == .pop3)
        let report = try await linker.sync(Self.address).get()
        #expect(report.fetched == 0 && report.recognisedByContent == 1, "\(report)")
    }

    @Test("a new protocol without a server takes the discovered one; one needing confirmation is refused by name")
    func discoveredServer() async throws {
        let servers = try Servers { _ in
            var found = DiscoveredAccountSettings(
                incoming: ProtocolChangeTests.pop3Settings, outgoing: nil, origin: "test table")
            found.imap = ProtocolChangeTests.imapSettings
            return found
        }
        let linker = try await servers.confirmedOverPOP3()
        let updated = try await linker.update(
            Self.address, .init(incomingProtocol: .imap, imap: IMAPSourceOptions(mailboxes: .all())))
        #expect(updated.incoming == Self.imapSettings && updated.imap.mailboxes == .all())

        let untrusted = try Servers { _ in
            var found = DiscoveredAccountSettings(
                incoming: ProtocolChangeTests.pop3Settings, outgoing: nil, origin: "SRV records of example.net",
                confirmationReasons: ["derived from unsigned DNS answers (srv)"])
            found.imap = ProtocolChangeTests.imapSettings
            return found
        }
        let other = try await untrusted.confirmedOverPOP3()
        await #expect {
            try await other.update(Self.address, .init(incomingProtocol: .imap))
        } throws: { error in
            let summary = (error as? LinkDiagnosisError)?.diagnosis.summary ?? ""
            return summary.contains("imap.example.net:993") && summary.contains("needs your confirmation")
        }
        #expect(try await other.account(Self.address)?.incomingProtocol == .pop3)
    }

    @Test("a new protocol with neither a server nor discovery is refused with what to give")
    func noServer() async throws {
        let servers = try Servers()
        let linker = try await servers.confirmedOverPOP3()
        await #expect {
            try await linker.update(Self.address, .init(incomingProtocol: .imap))
        } throws: { error in
            (error as? LinkDiagnosisError)?.diagnosis.suggestion.contains("Give the IMAP server") == true
        }
        #expect(try await linker.account(Self.address)?.incomingProtocol == .pop3)
    }
}
