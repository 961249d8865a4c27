import FolderRouting
import Foundation

/// What a sync remembers about one POP3 mailbox: which UIDLs it has delivered and when it first
/// saw each message (for "delete from the server after N days").
///
/// Kept in a small JSON file replaced durably and atomically (temporary file, `fsync`, `rename`,
/// `fsync` of the folder) after every batch, so the record is never torn. The file only lists
/// messages still on the server: UIDLs absent from a complete listing are dropped, which keeps it
/// bounded by the mailbox's size.
public struct SyncState: Sendable, Equatable, Codable {
    /// What is known about one message.
    public struct Entry: Sendable, Equatable, Codable {
        /// When a sync first listed the message (seconds since 1970).
        public var firstSeen: Double
        /// Whether it is durably in the store.
        public var delivered: Bool

        public init(firstSeen: Double, delivered: Bool) {
            self.firstSeen = firstSeen
            self.delivered = delivered
        }
    }

    /// The format version of the file.
    public var version = 1
    /// Entries by UIDL.
    public var messages: [String: Entry] = [:]

    public init() {}

    /// Whether the message with this UIDL was delivered.
    public func isDelivered(_ uidl: String) -> Bool { messages[uidl]?.delivered ?? false }

    /// Notes every UIDL of a complete listing (first-seen dates for new ones) and forgets the
    /// UIDLs the server no longer has.
    public mutating func reconcile(listing uidls: some Collection<String>, now: Date) {
        let present = Set(uidls)
        messages = messages.filter { present.contains($0.key) }
        for uidl in present where messages[uidl] == nil {
            messages[uidl] = Entry(firstSeen: now.timeIntervalSince1970, delivered: false)
        }
    }

    /// Marks UIDLs as delivered.
    public mutating func markDelivered(_ uidls: some Sequence<String>, now: Date) {
        for uidl in uidls {
            messages[uidl, default: Entry(firstSeen: now.timeIntervalSince1970, delivered: true)].delivered = true
        }
    }

    /// Loads the state at `path`; a missing file is an empty state.
    public static func load(from path: String) async throws -> SyncState {
        guard let bytes = try await DurableFile.read(at: path) else { return SyncState() }
        do {
            return try JSONDecoder().decode(SyncState.self, from: Data(bytes))
        } catch {
            throw SyncError(.stateUnreadable, "the sync state \(path) is not readable: \(error)")
        }
    }

    /// Removes the file at `path`, if any.
    public static func remove(at path: String) async throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    /// Replaces the file at `path` durably and atomically.
    public func save(to path: String) async throws {
        try await DurableFile.replace(at: path, with: Array(try JSONEncoder().encode(self)))
    }
}
