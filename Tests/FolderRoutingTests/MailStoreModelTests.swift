import Foundation
import Testing

@testable import FolderRouting

/// InMemoryMailStore is the model of MaildirStore: random operations must leave both in the same visible state.
@Suite("MailStore model")
struct MailStoreModelTests {
    /// What a user of either store can observe, without the store-specific identifiers.
    struct Snapshot: Equatable {
        var folders: [Folder]
        var messages: [Folder: [Entry]]
        struct Entry: Equatable {
            var bytes: [UInt8]
            var origin: MessageOrigin?
            var marker: MarkerColor?
            var size: Int
        }
    }

    static func snapshot(_ store: any MailStore) async throws -> Snapshot {
        var messages = [Folder: [Snapshot.Entry]]()
        let folders = try await store.folders()
        for folder in folders {
            for message in try await store.messages(in: folder) {
                messages[folder, default: []].append(
                    Snapshot.Entry(
                        bytes: try await store.read(message.id), origin: message.origin, marker: message.marker,
                        size: message.size))
            }
        }
        return Snapshot(
            folders: folders,
            messages: messages.mapValues { $0.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) } })
    }

    @Test(
        "300 random deliveries, streamed deliveries, marker changes and moves give the same state on both stores",
        arguments: [1, 2, 3])
    func randomOperations(seed: UInt64) async throws {
        let directory = TemporaryDirectory()
        let model = InMemoryMailStore()
        var maildir = try await MaildirStore.open(at: directory.path + "/Maildir")
        var generator = SeededGenerator(seed: seed)
        let folders: [Folder] = [.inbox, Folder(uncheckedComponents: ["A"]), Folder(uncheckedComponents: ["A", "Б"])]
        let markers: [MarkerColor?] = [nil, .red, .custom(red: 1, green: 2, blue: 3)]
        var ids: [(model: StoredMessage.ID, maildir: StoredMessage.ID)] = []
        for step in 0..<300 {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<4:
                let count = Int.random(in: 1...5, using: &generator)
                let batch = (0..<count).map { _ in
                    let uidl = "u\(Int.random(in: 0..<120, using: &generator))"
                    return IncomingMessage(
                        bytes: Array("message \(uidl) step \(step)\n".utf8),
                        folder: folders.randomElement(using: &generator)!,
                        marker: markers.randomElement(using: &generator)!,
                        origin: MessageOrigin(account: "acct", uidl: uidl))
                }
                let expected = await model.deliver(batch)
                let actual = try await maildir.deliver(batch)
                #expect(expected.map(\.isDelivered) == actual.map(\.isDelivered), "step \(step)")
                for (left, right) in zip(expected, actual) where left.isDelivered { ids.append((left.id, right.id)) }
            case 4:
                let bytes = Array("streamed \(step)\n".utf8)
                let origin = MessageOrigin(account: "acct", uidl: "s\(Int.random(in: 0..<20, using: &generator))")
                let folder = folders.randomElement(using: &generator)!
                let outcomes = try await [model as any MailStore, maildir].asyncMap { store in
                    let writer = try await store.beginDelivery(to: folder, marker: .blue, origin: origin)
                    try await writer.append(bytes)
                    return try await writer.commit()
                }
                #expect(outcomes[0].isDelivered == outcomes[1].isDelivered, "step \(step)")
                if outcomes[0].isDelivered { ids.append((outcomes[0].id, outcomes[1].id)) }
            case 5..<7 where !ids.isEmpty:
                let pair = ids.randomElement(using: &generator)!
                let marker = markers.randomElement(using: &generator)!
                try await model.setMarker(marker, for: pair.model)
                try await maildir.setMarker(marker, for: pair.maildir)
            case 7..<9 where !ids.isEmpty:
                let pair = ids.randomElement(using: &generator)!
                let folder = folders.randomElement(using: &generator)!
                try await model.move(pair.model, to: folder)
                try await maildir.move(pair.maildir, to: folder)
            default:
                await maildir.close()  // a restart changes nothing visible
                maildir = try await MaildirStore.open(at: directory.path + "/Maildir")
            }
        }
        let expected = try await Self.snapshot(model)
        let actual = try await Self.snapshot(maildir)
        #expect(expected == actual)
        #expect(expected.messages.values.map(\.count).reduce(0, +) == ids.count)
    }

    @Test("concurrent deliveries of the same origin store it once", arguments: MailStoreContractTests.Kind.allCases)
    func concurrentDuplicates(kind: MailStoreContractTests.Kind) async throws {
        let subject = try await MailStoreContractTests.make(kind)
        let store = subject.store
        let outcomes = try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
            for task in 0..<20 {
                group.addTask {
                    try await store.deliver(
                        IncomingMessage(
                            bytes: [UInt8(task)], folder: .inbox, origin: MessageOrigin(account: "a", uidl: "same")))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter(\.isDelivered).count == 1)
        #expect(Set(outcomes.map(\.id)).count == 1)
        #expect(try await store.messages(in: .inbox).count == 1)
    }
}

/// A small deterministic generator (SplitMix64), so that a failing seed can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

extension Array {
    func asyncMap<Result>(_ transform: (Element) async throws -> Result) async rethrows -> [Result] {
        var results = [Result]()
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
