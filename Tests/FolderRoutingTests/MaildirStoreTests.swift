import Foundation
import Testing

@testable import FolderRouting

@Suite("MaildirStore")
struct MaildirStoreTests {
    let directory = TemporaryDirectory()
    var root: String { directory.path + "/Maildir" }
    let work = Folder(uncheckedComponents: ["Work", "Клиенты"])

    func file(_ relative: String) -> String { root + "/" + relative }

    @Test("messages land in new/ with a Maildir name whose S= is the file's size, folders in mUTF-7 dot-directories")
    func layout() async throws {
        let store = try await MaildirStore.open(at: root)
        let bytes = Array("Subject: x\n\nhello\n".utf8)
        let id = try await store.deliver(IncomingMessage(bytes: bytes, folder: work)).id
        let folderDirectory = ".Work.&BBoEOwQ4BDUEPQRCBEs-"
        #expect(directory.names(in: "Maildir").contains(folderDirectory))
        #expect(FileManager.default.fileExists(atPath: file(folderDirectory + "/maildirfolder")))
        let names = directory.names(in: "Maildir/" + folderDirectory + "/new")
        #expect(names == [id.rawValue])
        #expect(directory.names(in: "Maildir/" + folderDirectory + "/tmp").isEmpty)
        let name = try #require(names.first)
        #expect(name.hasSuffix(",S=\(bytes.count)"))
        #expect(name.contains(".M") && name.contains("P\(getpid())Q"))
        let size =
            try FileManager.default.attributesOfItem(atPath: file(folderDirectory + "/new/" + name))[.size] as? Int
        #expect(size == bytes.count)
        for sub in ["cur", "new", "tmp"] { #expect(directory.names(in: "Maildir/" + sub).isEmpty) }
    }

    @Test("origin, marker, folder and deduplication survive closing and reopening")
    func restart() async throws {
        let origin = MessageOrigin(account: "ivan@почта.рф", uidl: "UID with spaces %2D -")
        var store = try await MaildirStore.open(at: root)
        let id = try await store.deliver(
            IncomingMessage(bytes: [1, 2, 3], folder: .inbox, marker: .red, origin: origin)
        ).id
        try await store.setMarker(.custom(red: 9, green: 8, blue: 7), for: id)
        try await store.move(id, to: work)
        await store.close()
        await #expect(throws: MailStoreError.self) { _ = try await store.folders() }

        store = try await MaildirStore.open(at: root)
        #expect(try await store.folders() == [.inbox, work])
        let message = try #require(try await store.messages(in: work).first)
        #expect(
            message
                == StoredMessage(
                    id: id, folder: work, origin: origin, marker: .custom(red: 9, green: 8, blue: 7), size: 3))
        #expect(
            try await store.deliver(IncomingMessage(bytes: [4], folder: .inbox, origin: origin))
                == .duplicate(existing: id))
    }

    @Test("a second store on the same directory is refused while the first is open")
    func locked() async throws {
        let store = try await MaildirStore.open(at: root)
        await #expect(throws: MailStoreError(.storeLocked, "another process has the store open")) {
            _ = try await MaildirStore.open(at: root)
        }
        await store.close()
        _ = try await MaildirStore.open(at: root)
    }

    @Test("an index record whose file never reached new/ counts as not delivered, so the message can be delivered")
    func recordWithoutFile() async throws {
        var store = try await MaildirStore.open(at: root)
        _ = try await store.createFolder(.inbox)
        await store.close()
        // What a crash between step 2 (record) and step 3 (rename) leaves: a record and a tmp file of a dead process.
        let orphan = "1700000000.M1P999999Q1.\(MaildirNameMaker().host)"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: file("tmp/" + orphan)))
        let handle = try #require(FileHandle(forWritingAtPath: file(MaildirIndex.fileName)))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("D \(orphan),S=7 a u1 red\nD torn-rec".utf8))
        try handle.close()

        store = try await MaildirStore.open(at: root)
        #expect(directory.names(in: "Maildir/tmp").isEmpty)
        #expect(try await store.message(from: MessageOrigin(account: "a", uidl: "u1")) == nil)
        let outcome = try await store.deliver(
            IncomingMessage(bytes: [7], folder: .inbox, origin: MessageOrigin(account: "a", uidl: "u1")))
        #expect(outcome.isDelivered)
        let index = try String(contentsOfFile: file(MaildirIndex.fileName), encoding: .utf8)
        #expect(!index.contains("torn-rec"))
        #expect(index.hasSuffix("\n"))
        await store.close()
        store = try await MaildirStore.open(at: root)
        #expect(try await store.message(from: MessageOrigin(account: "a", uidl: "u1")) == outcome.id)
    }

    @Test("a tmp file of a live writer is kept until it is 36 hours old")
    func liveTemporaryFile() async throws {
        var store = try await MaildirStore.open(at: root)
        await store.close()
        let live = "1700000000.M1P1Q1.\(MaildirNameMaker().host)"  // pid 1 is alive
        try Data("in progress".utf8).write(to: URL(fileURLWithPath: file("tmp/" + live)))
        store = try await MaildirStore.open(at: root)
        #expect(directory.names(in: "Maildir/tmp") == [live])
        await store.close()
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -37 * 3600)], ofItemAtPath: file("tmp/" + live))
        _ = try await MaildirStore.open(at: root)
        #expect(directory.names(in: "Maildir/tmp").isEmpty)
    }

    @Test("a marked message goes to cur/ with its marker's IMAP keyword letter, named in dovecot-keywords")
    func markerKeyword() async throws {
        let store = try await MaildirStore.open(at: root)
        let first = try await store.deliver(IncomingMessage(bytes: [1], folder: work, marker: .teal)).id
        let second = try await store.deliver(IncomingMessage(bytes: [2], folder: work, marker: .blue)).id
        let folderDirectory = ".Work.&BBoEOwQ4BDUEPQRCBEs-"
        let keywords = try String(contentsOfFile: file(folderDirectory + "/dovecot-keywords"), encoding: .utf8)
        #expect(keywords == "0 maillink-teal\n1 $label4\n")
        #expect(Set(directory.names(in: "Maildir/" + folderDirectory + "/cur")) == [first.rawValue + ":2,a", second.rawValue + ":2,b"])
        #expect(directory.names(in: "Maildir/" + folderDirectory + "/new").isEmpty)
        // A marker change moves the keyword letter; other flags (Dovecot's S) stay.
        try FileManager.default.moveItem(
            atPath: file(folderDirectory + "/cur/" + second.rawValue + ":2,b"),
            toPath: file(folderDirectory + "/cur/" + second.rawValue + ":2,Sb"))
        try await store.setMarker(.teal, for: second)
        #expect(directory.names(in: "Maildir/" + folderDirectory + "/cur").contains(second.rawValue + ":2,Sa"))
        try await store.setMarker(nil, for: second)
        #expect(directory.names(in: "Maildir/" + folderDirectory + "/cur").contains(second.rawValue + ":2,S"))
        let listed = try await store.messages(in: work)
        #expect(listed.map(\.marker) == [.teal, nil])
        #expect(listed.map(\.isSeen) == [false, true])
        await store.close()
    }

    @Test("a message or a whole folder can be removed, and its origin is forgotten")
    func removal() async throws {
        let store = try await MaildirStore.open(at: root)
        let origin = MessageOrigin(account: "a", uidl: "1")
        let id = try await store.deliver(IncomingMessage(bytes: [1], folder: .inbox, marker: .red, origin: origin)).id
        try await store.remove(id)
        #expect(try await store.messages(in: .inbox).isEmpty)
        #expect(try await store.message(from: origin) == nil)
        _ = try await store.deliver(IncomingMessage(bytes: [2], folder: work, origin: origin))
        try await store.removeFolder(work)
        #expect(try await store.folders() == [.inbox])
        #expect(try await store.message(from: origin) == nil)
        await #expect(throws: MailStoreError.self) { try await store.removeFolder(.inbox) }
        await store.close()
        let reopened = try await MaildirStore.open(at: root)
        #expect(try await reopened.message(from: origin) == nil)
        await reopened.close()
    }

    @Test("messages another program delivered or moved to cur/ are listed, read and moved")
    func foreignMessages() async throws {
        let store = try await MaildirStore.open(at: root)
        let ours = try await store.deliver(
            IncomingMessage(bytes: [1], folder: .inbox, origin: MessageOrigin(account: "a", uidl: "1"))
        ).id
        // Dovecot moves a read message to cur/ with an info part, and delivers its own.
        try FileManager.default.moveItem(
            atPath: file("new/" + ours.rawValue), toPath: file("cur/" + ours.rawValue + ":2,S"))
        try Data("foreign".utf8).write(to: URL(fileURLWithPath: file("new/1600000000.M5P5.otherhost,S=7,W=8")))
        let listed = try await store.messages(in: .inbox)
        #expect(listed.map(\.id.rawValue) == ["1600000000.M5P5.otherhost,S=7,W=8", ours.rawValue])
        #expect(listed[0].origin == nil && listed[0].marker == nil && listed[0].size == 7 && !listed[0].isSeen)
        #expect(listed[1].origin?.uidl == "1" && listed[1].isSeen)
        #expect(try await store.read(ours) == [1])
        try await store.move(ours, to: work)
        #expect(directory.names(in: "Maildir/.Work.&BBoEOwQ4BDUEPQRCBEs-/cur") == [ours.rawValue + ":2,S"])
        try await store.setMarker(.yellow, for: listed[0].id)
        #expect(try await store.messages(in: .inbox).first?.marker == .yellow)
    }

    @Test("a folder name too long for one directory is refused")
    func tooLong() async throws {
        let store = try await MaildirStore.open(at: root)
        let deep = try Folder(Array(repeating: String(repeating: "ж", count: 40), count: 4))
        await #expect(throws: MailStoreError.self) { try await store.createFolder(deep) }
    }

    @Test("the index is compacted when dead records outnumber live ones, keeping every live record")
    func compaction() async throws {
        var store = try await MaildirStore.open(at: root)
        let outcomes = try await store.deliver(
            (0..<20).map {
                IncomingMessage(
                    bytes: [UInt8($0)], folder: .inbox, marker: .red, origin: MessageOrigin(account: "a", uidl: "\($0)")
                )
            })
        for _ in 0..<60 { for outcome in outcomes.prefix(20) { try await store.setMarker(.green, for: outcome.id) } }
        await store.close()
        let before = try String(contentsOfFile: file(MaildirIndex.fileName), encoding: .utf8).split(separator: "\n")
            .count
        store = try await MaildirStore.open(at: root)
        let after = try String(contentsOfFile: file(MaildirIndex.fileName), encoding: .utf8).split(separator: "\n")
            .count
        #expect(before > 1200)
        #expect(after == 21)
        #expect(try await store.messages(in: .inbox).allSatisfy { $0.marker == .green && $0.origin != nil })
        #expect(try await store.message(from: MessageOrigin(account: "a", uidl: "7")) == outcomes[7].id)
    }
}
