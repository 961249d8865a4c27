import Foundation
import Testing

@testable import AccountLinking

/// The sync record's JSON, written member by member (``SyncState/encodedJSON()``): what
/// `JSONDecoder` reads back is the record that was saved, whatever its unique-ids hold.
@Suite("SyncState file: written by hand, read by JSONDecoder")
struct SyncStateFileTests {
    private func roundTrip(_ state: SyncState) throws -> SyncState {
        try JSONDecoder().decode(SyncState.self, from: Data(try state.encodedJSON()))
    }

    @Test("every member round-trips, optional ones present or absent")
    func members() throws {
        var state = SyncState()
        #expect(try roundTrip(state) == state)
        state.messages = [
            "1796345819.2525@INBOX": .init(firstSeen: 1_796_345_897.1717918, delivered: true),
            "UID-0001": .init(firstSeen: 0, delivered: false),
            "old": .init(firstSeen: -12.5, delivered: true),
            "tiny": .init(firstSeen: 1e-7, delivered: false),
            "huge": .init(firstSeen: 4.2e20, delivered: true),
        ]
        #expect(try roundTrip(state) == state)
        state.mailboxes = ["INBOX": .init(uidValidity: 1_796_345_819), "Archiv/2026": .init(uidValidity: 7, resetBelow: 42)]
        state.incomingProtocol = .imap
        state.resetPending = true
        #expect(try roundTrip(state) == state)
        state.mailboxes = [:]
        state.resetPending = false
        state.incomingProtocol = .pop3
        #expect(try roundTrip(state) == state)
    }

    @Test("unique-ids and mailbox names with quotes, reverse solidi, control characters and UTF-8")
    func escaping() throws {
        var state = SyncState()
        for (index, uid) in ["a\"b", "back\\slash", "tab\there", "nul\u{0}\u{1F}", "Entwürfe/日本", "\u{7F}x"].enumerated() {
            state.messages[uid] = .init(firstSeen: Double(index), delivered: index % 2 == 0)
        }
        state.mailboxes = ["Entw\"ürfe\\\n": .init(uidValidity: 3)]
        #expect(try roundTrip(state) == state)
    }

    @Test("a first-seen date that is not finite is refused, as JSONEncoder refuses it")
    func nonFinite() {
        var state = SyncState()
        state.messages["x"] = .init(firstSeen: .nan, delivered: true)
        #expect(throws: EncodingError.self) { try state.encodedJSON() }
        state.messages["x"] = .init(firstSeen: .infinity, delivered: true)
        #expect(throws: EncodingError.self) { try state.encodedJSON() }
    }

    @Test("a saved file loads as the state saved")
    func saveAndLoad() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var state = SyncState()
        state.markDelivered((1...500).map { "1.\($0)@INBOX" }, now: Date(timeIntervalSince1970: 1_796_345_897.25))
        state.mailboxes = ["INBOX": .init(uidValidity: 1)]
        try await state.save(to: path)
        #expect(try await SyncState.load(from: path) == state)
    }
}
