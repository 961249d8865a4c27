import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailMessage
import MailTransport
import Testing

@Suite("IMAP accounts in the stored accounts format")
struct IMAPAccountFormatTests {
    let directory = NSTemporaryDirectory() + "maillink-imap-accounts-\(UUID().uuidString)"

    static func imapAccount(_ imap: IMAPSourceOptions) throws -> LinkedAccount {
        LinkedAccount(
            address: try EmailAddress("someone@example.com"),
            incoming: ServerSettings(host: "imap.example.com", port: 993, security: .tls, user: "someone"),
            linkedAt: Date(timeIntervalSince1970: 1_800_000_000), incomingProtocol: .imap, imap: imap)
    }

    @Test("an IMAP account is stored with readable keys (incomingProtocol, imap.mailboxes) and read back")
    func imapStored() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        let accounts = [
            try Self.imapAccount(IMAPSourceOptions()),
            try Self.imapAccount(
                IMAPSourceOptions(mailboxes: .named(["INBOX", "Archive/2026"]), keepsSourceFolders: true)),
            try Self.imapAccount(IMAPSourceOptions(mailboxes: .all(including: [.trash]))),
            try Self.imapAccount(IMAPSourceOptions(mailboxes: .specialUse([.archive, .sent], inbox: false))),
        ]
        for (index, account) in accounts.enumerated() {
            try await store.update { $0 = [account] }
            let text = try String(contentsOfFile: store.path, encoding: .utf8)
            #expect(text.contains("\"incomingProtocol\" : \"imap\""))
            switch index {
            case 0: #expect(text.contains("\"mailboxes\" : \"inbox\""))
            case 1:
                #expect(text.contains("\"mailboxes\" : \"named\""))
                #expect(text.contains("\"Archive\\/2026\"") || text.contains("\"Archive/2026\""))
                #expect(text.contains("\"keepSourceFolders\" : true"))
            case 2:
                #expect(text.contains("\"mailboxes\" : \"all\""))
                #expect(text.contains("\"trash\""))
            default:
                #expect(text.contains("\"mailboxes\" : \"special-use\""))
                #expect(text.contains("\"archive\"") && text.contains("\"sent\""))
                #expect(text.contains("\"withInbox\" : false"))
            }
            #expect(try await FileAccountStore(path: store.path).accounts() == [account])
        }
    }

    @Test("a POP3 account says so, and has no imap key")
    func pop3Stored() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        let account = try StoreTests.account()
        try await store.update { $0.append(account) }
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"incomingProtocol\" : \"pop3\""))
        #expect(!text.contains("\"imap\""))
        #expect(try await store.accounts().first?.incomingProtocol == .pop3)
    }

    @Test("an accounts file written before IMAP (no incomingProtocol) reads as POP3, INBOX only")
    func olderFileReadsAsPOP3() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        try await store.update { $0.append(try StoreTests.account()) }
        var text = try String(contentsOfFile: store.path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"incomingProtocol\" : \"pop3\",", with: "")
        #expect(!text.contains("incomingProtocol"))
        try text.write(toFile: store.path, atomically: true, encoding: .utf8)
        let account = try #require(try await store.accounts().first)
        #expect(account.incomingProtocol == .pop3)
        #expect(account.imap == IMAPSourceOptions())
        #expect(account.incoming.host == "pop.example.com")
    }

    @Test("an unknown protocol, mailbox kind or special use is refused, not guessed")
    func unknownRefused() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        try await store.update {
            $0.append(try Self.imapAccount(IMAPSourceOptions(mailboxes: .all(including: [.junk]))))
        }
        let original = try String(contentsOfFile: store.path, encoding: .utf8)
        for (from, to) in [
            ("\"incomingProtocol\" : \"imap\"", "\"incomingProtocol\" : \"jmap\""),
            ("\"mailboxes\" : \"all\"", "\"mailboxes\" : \"some\""),
            ("\"junk\"", "\"spam\""),
        ] {
            try original.replacingOccurrences(of: from, with: to).write(
                toFile: store.path, atomically: true, encoding: .utf8)
            await #expect(throws: StateFileError.self) { try await store.accounts() }
        }
    }

    @Test("protocol and special-use names as typed")
    func names() {
        #expect(IncomingProtocol(named: "IMAP") == .imap)
        #expect(IncomingProtocol(named: "pop") == .pop3)
        #expect(IncomingProtocol(named: "smtp") == nil)
        #expect(IMAPSourceOptions.specialUse(named: "Trash") == .trash)
        #expect(IMAPSourceOptions.specialUse(named: "\\Sent") == .sent)
        #expect(IMAPSourceOptions.name(of: .archive) == "archive")
    }
}
