import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import Testing

@Suite("AccountLinker: the account lifecycle and sending as")
struct AccountLinkerLifecycleTests {
    /// A linker with one confirmed account that has synced `messages` messages.
    static func confirmedLinker(
        _ fixture: LinkerFixture, messages: Int = 1, options: AccountLinker.LinkOptions? = nil
    ) async throws -> (AccountLinker, LinkedAccount) {
        for number in 0..<messages {
            fixture.server.deliver(
                FakePOP3Message(uid: "u\(number)", text: "To: Linked@example.net\r\nSubject: \(number)\r\n\r\nbody\r\n"),
                to: LinkerFixture.linked)
        }
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker, options: options)
        let account = try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
        return (linker, account)
    }

    static let address = try! EmailAddress(LinkerFixture.linked)

    @Test("accounts are listed; unlink keeps the mail and removes secret, sync record and default")
    func unlinkKeepsMail() async throws {
        let fixture = try LinkerFixture()
        let (linker, account) = try await Self.confirmedLinker(fixture)
        #expect(try await linker.accounts().map { $0.id } == [account.id])
        try await linker.setDefaultIdentity(Self.address)
        try await linker.unlink(Self.address)
        #expect(try await linker.accounts().isEmpty)
        #expect(try await fixture.configuration.credentials.secret(for: account.id) == nil)
        #expect(try await fixture.configuration.syncState.state(for: account.id.rawValue) == SyncState())
        #expect(try await linker.identities().map { $0.address.description } == ["me@primary.example"])
        #expect(try await fixture.stored(in: account.folder).count == 1)
    }

    @Test("unlink with deletingMail removes the account's own folder")
    func unlinkDeletesFolder() async throws {
        let fixture = try LinkerFixture()
        let (linker, account) = try await Self.confirmedLinker(fixture, messages: 2)
        try await linker.unlink(Self.address, deletingMail: true)
        #expect(!(await fixture.store.folders()).contains(account.folder))
    }

    @Test("unlink with deletingMail from the Inbox removes only that account's messages")
    func unlinkDeletesFromInbox() async throws {
        let fixture = try LinkerFixture()
        _ = try await fixture.store.deliver(IncomingMessage(bytes: Array("Subject: mine\r\n\r\nx\r\n".utf8), folder: .inbox))
        let (linker, _) = try await Self.confirmedLinker(
            fixture, messages: 2, options: .init(incoming: fixture.incoming, destination: .inbox))
        #expect(try await fixture.stored(in: .inbox).count == 3)
        try await linker.unlink(Self.address, deletingMail: true)
        let left = try await fixture.stored(in: .inbox)
        #expect(left.count == 1)
        #expect(left.first?.origin == nil)
    }

    @Test("update changes destination, marker and copies atomically; new mail follows")
    func update() async throws {
        let fixture = try LinkerFixture()
        let (linker, _) = try await Self.confirmedLinker(fixture)
        let updated = try await linker.update(
            Self.address, .init(destination: .inbox, marker: .orange, copies: .deleteAfter(days: 7)))
        #expect(updated.folder == .inbox)
        #expect(updated.marker == .orange)
        #expect(updated.copies == .deleteAfter(days: 7))
        fixture.server.deliver(FakePOP3Message(uid: "new", text: "Subject: new\r\n\r\nb\r\n"), to: LinkerFixture.linked)
        _ = await linker.sync(Self.address)
        let inbox = try await fixture.stored(in: .inbox)
        #expect(inbox.count == 1)
        #expect(inbox.first?.marker == .orange)
        await #expect(throws: LinkDiagnosisError.self) {
            try await linker.update(try EmailAddress("nobody@example.net"), .init(marker: .red))
        }
    }

    @Test("deleting from the server after sync: copies go once stored")
    func deleteFromServer() async throws {
        let fixture = try LinkerFixture()
        let (linker, _) = try await Self.confirmedLinker(fixture, messages: 2, options: .init(incoming: try LinkerFixture().incoming, copies: .delete))
        #expect(fixture.server.messages(of: LinkerFixture.linked).isEmpty)
        #expect(try await linker.accounts().first?.keepCopiesOnServer == false)
    }

    @Test("changing the secret verifies it first; a wrong one is refused and the old one stays")
    func changeSecret() async throws {
        let fixture = try LinkerFixture()
        let (linker, account) = try await Self.confirmedLinker(fixture)
        await #expect(throws: LinkDiagnosisError.self) { try await linker.changeSecret(.password("typo"), for: Self.address) }
        guard case .password(let kept)? = try await fixture.configuration.credentials.secret(for: account.id) else {
            Issue.record("no secret")
            return
        }
        #expect(kept == LinkerFixture.password)
        try await linker.changeSecret(.password(LinkerFixture.password), for: Self.address)
    }

    @Test("re-linking a confirmed address keeps its folder and confirmation; only settings and secret change")
    func relinkConfirmed() async throws {
        let fixture = try LinkerFixture()
        let (linker, account) = try await Self.confirmedLinker(fixture)
        let sentBefore = fixture.sender.sent.count
        let steps = await fixture.link(linker, options: .init(incoming: fixture.incoming, destination: .inbox, marker: .red))
        guard case .updated(let updated)? = steps.last else {
            Issue.record("\(steps)")
            return
        }
        #expect(updated.status == .confirmed)
        #expect(updated.folder == account.folder)
        #expect(updated.marker == .red)
        #expect(fixture.sender.sent.count == sentBefore)
    }

    @Test("re-linking a pending address keeps its folder and sends a new confirmation")
    func relinkPending() async throws {
        let fixture = try LinkerFixture()
        let linker = fixture.makeLinker()
        _ = await fixture.link(linker)
        let first = try #require(try await linker.accounts().first)
        let oldLink = try fixture.lastConfirmation().link
        _ = await fixture.link(linker)
        #expect(try await linker.accounts().count == 1)
        #expect(try await linker.accounts().first?.folder == first.folder)
        await #expect(throws: LinkDiagnosisError.self) { try await linker.confirm(oldLink) }
    }

    @Test("send refuses a From that is not an identity, and never replaces it")
    func sendRefusesOtherFrom() async throws {
        let fixture = try LinkerFixture()
        let (linker, _) = try await Self.confirmedLinker(fixture)
        var message = OutgoingMessage(from: try Mailbox("stranger@example.org"))
        message.to = [try Mailbox("friend@example.org")]
        let error = await #expect(throws: LinkDiagnosisError.self) { try await linker.send(message) }
        #expect(error?.diagnosis.stage == .sending)
        #expect(fixture.sender.sent.count == 1)  // the confirmation only
    }

    @Test("a linked address without its own outgoing server is refused by default, with the reason")
    func sendWithoutOwnServer() async throws {
        let fixture = try LinkerFixture()
        let (linker, _) = try await Self.confirmedLinker(fixture)
        #expect(try await linker.identities().last?.route == .unavailable)
        var message = try await linker.newMessage(from: Self.address)
        message.to = [try Mailbox("friend@example.org")]
        let error = await #expect(throws: LinkDiagnosisError.self) { try await linker.send(message) }
        #expect(error?.diagnosis.suggestion.contains("DMARC") == true)
    }

    @Test("the explicit fallback sends through the primary's server with a Sender header")
    func sendWithSenderFallback() async throws {
        let fixture = try LinkerFixture(sendAsFallback: .primaryServerWithSenderHeader)
        let (linker, _) = try await Self.confirmedLinker(fixture)
        var message = try await linker.newMessage(from: Self.address)
        message.to = [try Mailbox("friend@example.org")]
        try await linker.send(message)
        let sent = try #require(fixture.sender.sent.last)
        let text = String(decoding: sent.message, as: UTF8.self)
        #expect(text.contains("From: Linked@example.net"))
        #expect(text.contains("Sender: me@primary.example"))
        #expect(sent.envelope.sender?.description == "me@primary.example")
    }

    @Test("sending as a linked address goes through its own outgoing server, signed in as it")
    func sendThroughOwnServer() async throws {
        let fixture = try LinkerFixture()
        let smtp = FakeSMTPServer(configuration: .init(
            hostname: "smtp.example.net", accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]),
            requiresAuthentication: true))
        var configuration = fixture.configuration
        configuration.connector = RoutingConnector(pop3: fixture.server.connector, smtp: smtp.connector)
        configuration.allowInsecureAuthentication = true
        let linker = AccountLinker(configuration: configuration)
        let outgoing = ServerSettings(host: "smtp.example.net", port: 587, security: .startTLS, user: LinkerFixture.linked)
        _ = await fixture.link(linker, options: .init(incoming: fixture.incoming, outgoing: outgoing))
        try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
        try await linker.setDefaultIdentity(Self.address)
        var message = try await linker.newMessage()
        #expect(AccountID(message.from.address) == AccountID(Self.address))
        message.to = [try Mailbox("friend@example.org")]
        message.subject = "hello"
        try await linker.send(message)
        let received = try #require(smtp.receivedMessages.last)
        #expect(received.sender == "Linked@example.net")
        #expect(String(decoding: received.data, as: UTF8.self).contains("From: Linked@example.net"))
    }

    @Test("a reply comes from the account the message came from, else an addressed identity, else the default")
    func replyIdentity() async throws {
        let fixture = try LinkerFixture(sendAsFallback: .primaryServerWithSenderHeader)
        let (linker, account) = try await Self.confirmedLinker(fixture)
        let synced = try #require(try await fixture.stored(in: account.folder).first)
        #expect(try await linker.replyIdentity(for: synced).id == AccountID(Self.address))
        let addressed = try await fixture.store.deliver(
            IncomingMessage(bytes: Array("To: Friend <linked@EXAMPLE.net>\r\nSubject: x\r\n\r\nb\r\n".utf8), folder: .inbox))
        guard case .delivered(let stored) = addressed else {
            Issue.record("\(addressed)")
            return
        }
        #expect(try await linker.replyIdentity(for: stored).id == AccountID(Self.address))
        let other = try await fixture.store.deliver(
            IncomingMessage(bytes: Array("To: someone@else.example\r\nSubject: x\r\n\r\nb\r\n".utf8), folder: .inbox))
        guard case .delivered(let unrelated) = other else { return }
        #expect(try await linker.replyIdentity(for: unrelated).address.description == "me@primary.example")
    }

    @Test("routing rules of an account send matching mail elsewhere; the rest goes to its folder")
    func routingRules() async throws {
        let fixture = try LinkerFixture()
        fixture.server.deliver(FakePOP3Message(uid: "list", text: "List-Id: <swift.lists.example>\r\nSubject: l\r\n\r\nb\r\n"), to: LinkerFixture.linked)
        let lists = try Folder(["Lists"])
        let rule = RoutingRule(name: "Lists", when: .listID(.hasSuffix("lists.example")), destination: .folder(lists), marker: .teal)
        let (_, account) = try await Self.confirmedLinker(fixture, messages: 1, options: .init(incoming: fixture.incoming, rules: [rule]))
        #expect(try await fixture.stored(in: lists).map { $0.marker } == [MarkerColor.teal])
        #expect(try await fixture.stored(in: account.folder).count == 1)
    }
}

/// Routes POP3 ports to one fake and SMTP ports to another.
struct RoutingConnector: MailConnector {
    let pop3: any MailConnector
    let smtp: any MailConnector
    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        try await ([995, 110].contains(endpoint.port) ? pop3 : smtp).connect(to: endpoint, tls: tls, timeouts: timeouts)
    }
}
