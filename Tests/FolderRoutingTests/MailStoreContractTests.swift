import Foundation
import Testing

@testable import FolderRouting

/// The behaviour every ``MailStore`` promises, checked on both implementations.
@Suite("MailStore contract")
struct MailStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory, maildir
        var testDescription: String { rawValue }
    }

    /// A store and, for Maildir, the directory that must outlive it.
    struct Subject {
        let store: any MailStore
        let directory: TemporaryDirectory?
    }

    static func make(_ kind: Kind) async throws -> Subject {
        switch kind {
        case .memory: return Subject(store: InMemoryMailStore(), directory: nil)
        case .maildir:
            let directory = TemporaryDirectory()
            return Subject(store: try await MaildirStore.open(at: directory.path + "/Maildir"), directory: directory)
        }
    }

    static let work = Folder(uncheckedComponents: ["Work"])
    static let cyrillic = Folder(uncheckedComponents: ["Почта", "Входящие"])

    @Test("bytes come back exactly as delivered, even when they are not RFC 5322", arguments: Kind.allCases)
    func byteForByte(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let samples: [[UInt8]] = [
            Array("Subject: hi\r\n\r\nbody\r\n".utf8),
            Array("no header at all, bare LF\nand \u{FF} 8-bit\n".utf8),
            [0, 1, 2, 255, 13, 10, 46, 13, 10],
            [],
        ]
        var ids = [StoredMessage.ID]()
        for (number, bytes) in samples.enumerated() {
            let outcome = try await subject.store.deliver(
                IncomingMessage(
                    bytes: bytes, folder: Self.work, marker: .green,
                    origin: MessageOrigin(account: "a", uidl: "u\(number)")))
            #expect(outcome.isDelivered)
            ids.append(outcome.id)
        }
        for (id, bytes) in zip(ids, samples) { #expect(try await subject.store.read(id) == bytes) }
        let listed = try await subject.store.messages(in: Self.work)
        #expect(listed.map(\.id) == ids)
        #expect(listed.map(\.size) == samples.map(\.count))
        #expect(listed.allSatisfy { $0.marker == .green && $0.origin?.account == "a" && !$0.isSeen })
    }

    @Test("staged messages are invisible until their commit, then delivered in order; duplicates stay duplicates", arguments: Kind.allCases)
    func staging(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let stored = MessageOrigin(account: "a", uidl: "stored")
        let already = try await subject.store.deliver(IncomingMessage(bytes: [9], folder: Self.work, origin: stored))
        var staged: [StagedDelivery] = []
        for number in 0..<300 {
            staged.append(
                try await subject.store.stage(
                    IncomingMessage(
                        bytes: Array("Subject: \(number)\r\n\r\nbody\r\n".utf8), folder: Self.work,
                        origin: MessageOrigin(account: "a", uidl: "u\(number)"))))
        }
        staged.append(try await subject.store.stage(IncomingMessage(bytes: [1], folder: Self.work, origin: stored)))
        staged.append(
            try await subject.store.stage(IncomingMessage(bytes: [2], folder: Self.work, origin: MessageOrigin(account: "a", uidl: "u7"))))
        #expect(try await subject.store.messages(in: Self.work).count == 1, "nothing staged is visible")
        if kind == .maildir {
            #expect(staged.allSatisfy { $0.bytesHeld == 0 }, "a Maildir writes staged messages at once")
            #expect(subject.directory?.names(in: "Maildir/.Work/tmp").count == 300)
        }
        let outcomes = try await subject.store.commit(staged)
        #expect(outcomes.count == 302)
        #expect(outcomes.prefix(300).allSatisfy { $0.isDelivered })
        #expect(outcomes[300] == .duplicate(existing: already.id))
        #expect(outcomes[301] == .duplicate(existing: outcomes[7].id), "the second copy of u7 in the same batch")
        let listed = try await subject.store.messages(in: Self.work)
        #expect(listed.count == 301)
        #expect(try await subject.store.read(outcomes[299].id) == Array("Subject: 299\r\n\r\nbody\r\n".utf8))
        if kind == .maildir { #expect(subject.directory?.names(in: "Maildir/.Work/tmp").isEmpty == true) }
    }

    @Test("discarded staged messages never appear, and their origins can be delivered afterwards", arguments: Kind.allCases)
    func discardStaged(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let origin = MessageOrigin(account: "a", uidl: "gone")
        let staged = try await subject.store.stage(IncomingMessage(bytes: [1, 2, 3], folder: Self.work, origin: origin))
        await subject.store.discard([staged])
        if kind == .maildir { #expect(subject.directory?.names(in: "Maildir/.Work/tmp").isEmpty == true) }
        #expect(try await subject.store.message(from: origin) == nil)
        #expect(try await subject.store.deliver(IncomingMessage(bytes: [4], folder: Self.work, origin: origin)).isDelivered)
    }

    @Test("a second delivery of the same account and UIDL is refused as a duplicate", arguments: Kind.allCases)
    func duplicates(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let origin = MessageOrigin(account: "alice@example.com", uidl: "X1")
        let message = IncomingMessage(bytes: Array("one".utf8), folder: .inbox, marker: .blue, origin: origin)
        let first = try await subject.store.deliver(message)
        let again = try await subject.store.deliver([message, message])
        #expect(again == [.duplicate(existing: first.id), .duplicate(existing: first.id)])
        let other = MessageOrigin(account: "bob@example.com", uidl: "X1")
        let batch = try await subject.store.deliver([
            IncomingMessage(bytes: [1], folder: .inbox, origin: other),
            IncomingMessage(bytes: [2], folder: .inbox, origin: other),
            IncomingMessage(bytes: [3], folder: .inbox, origin: nil),
            IncomingMessage(bytes: [3], folder: .inbox, origin: nil),
        ])
        #expect(batch.map(\.isDelivered) == [true, false, true, true])
        #expect(batch[1] == .duplicate(existing: batch[0].id))
        #expect(try await subject.store.message(from: origin) == first.id)
        #expect(try await subject.store.message(from: MessageOrigin(account: "x", uidl: "X1")) == nil)
        #expect(try await subject.store.messages(in: .inbox).count == 4)
    }

    @Test("the first delivery into a folder creates it, nested and Cyrillic names included", arguments: Kind.allCases)
    func foldersOnDelivery(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        #expect(try await subject.store.folders() == [.inbox])
        _ = try await subject.store.deliver(IncomingMessage(bytes: [1], folder: Self.cyrillic))
        try await subject.store.createFolder(Self.work)
        try await subject.store.createFolder(Self.work)
        #expect(try await subject.store.folders() == [.inbox, Self.work, Self.cyrillic])
        #expect(try await subject.store.messages(in: Self.work).isEmpty)
        await #expect(throws: MailStoreError.self) { try await subject.store.messages(in: try Folder(["Nope"])) }
    }

    @Test("changing a marker and moving keep the message's identifier", arguments: Kind.allCases)
    func markerAndMove(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let id = try await subject.store.deliver(
            IncomingMessage(
                bytes: Array("x".utf8), folder: .inbox, marker: .red, origin: MessageOrigin(account: "a", uidl: "1"))
        ).id
        try await subject.store.setMarker(.custom(red: 1, green: 2, blue: 3), for: id)
        try await subject.store.move(id, to: Self.work)
        #expect(try await subject.store.messages(in: .inbox).isEmpty)
        let moved = try #require(try await subject.store.messages(in: Self.work).first)
        #expect(moved.id == id)
        #expect(moved.marker == .custom(red: 1, green: 2, blue: 3))
        #expect(try await subject.store.message(id)?.folder == Self.work)
        try await subject.store.setMarker(nil, for: id)
        #expect(try await subject.store.messages(in: Self.work).first?.marker == nil)
        #expect(try await subject.store.read(id) == Array("x".utf8))
        #expect(try await subject.store.message(from: MessageOrigin(account: "a", uidl: "1")) == id)
        let missing = StoredMessage.ID("nope")
        await #expect(throws: MailStoreError.self) { try await subject.store.read(missing) }
        await #expect(throws: MailStoreError.self) { try await subject.store.move(missing, to: .inbox) }
        await #expect(throws: MailStoreError.self) { try await subject.store.setMarker(.red, for: missing) }
    }

    @Test("a streamed delivery is invisible until committed, and abort leaves nothing", arguments: Kind.allCases)
    func streaming(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let origin = MessageOrigin(account: "a", uidl: "big")
        let writer = try await subject.store.beginDelivery(to: Self.work, marker: .teal, origin: origin)
        var expected = [UInt8]()
        for chunk in 0..<50 {
            let bytes = [UInt8](repeating: UInt8(chunk), count: 10_000)
            expected += bytes
            try await writer.append(bytes)
        }
        #expect(try await subject.store.messages(in: Self.work).isEmpty)
        let outcome = try await writer.commit()
        guard case .delivered(let message) = outcome else {
            Issue.record("not delivered: \(outcome)")
            return
        }
        #expect(message.size == expected.count)
        #expect(try await subject.store.read(message.id) == expected)
        await #expect(throws: MailStoreError.self) { try await writer.append([1]) }

        let duplicate = try await subject.store.beginDelivery(to: Self.work, marker: nil, origin: origin)
        try await duplicate.append([1, 2, 3])
        #expect(try await duplicate.commit() == .duplicate(existing: message.id))

        let aborted = try await subject.store.beginDelivery(
            to: .inbox, marker: nil, origin: MessageOrigin(account: "a", uidl: "x"))
        try await aborted.append([9])
        await aborted.abort()
        await aborted.abort()
        await #expect(throws: MailStoreError.self) { _ = try await aborted.commit() }
        #expect(try await subject.store.messages(in: .inbox).isEmpty)
        #expect(try await subject.store.message(from: MessageOrigin(account: "a", uidl: "x")) == nil)
        #expect(try await subject.store.messages(in: Self.work).count == 1)
        if let directory = subject.directory {
            #expect(directory.names(in: "Maildir/tmp").isEmpty)
            #expect(directory.names(in: "Maildir/.Work/tmp").isEmpty)
        }
    }

    @Test("a large batch is delivered in order with one outcome per message", arguments: Kind.allCases)
    func largeBatch(kind: Kind) async throws {
        let subject = try await Self.make(kind)
        let messages = (0..<300).map {
            IncomingMessage(
                bytes: Array("message \($0)\n".utf8), folder: $0 % 2 == 0 ? .inbox : Self.work,
                origin: MessageOrigin(account: "a", uidl: "\($0)"))
        }
        let outcomes = try await subject.store.deliver(messages)
        #expect(outcomes.count == 300)
        #expect(outcomes.allSatisfy { $0.isDelivered })
        #expect(try await subject.store.read(outcomes[299].id) == Array("message 299\n".utf8))
        #expect(try await subject.store.messages(in: Self.work).count == 150)
    }
}
