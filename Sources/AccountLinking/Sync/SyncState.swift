import FolderRouting
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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

    /// What a source with several mailboxes remembers about each one (IMAP: its UIDVALIDITY,
    /// RFC 9051 §2.3.1.1), kept in the same file as the unique-ids so the two never disagree.
    public struct MailboxRecord: Sendable, Equatable, Codable {
        /// The UIDVALIDITY the mailbox had when last listed.
        public var uidValidity: UInt32
        /// Messages with a UID below this were present when the UIDVALIDITY last changed: each
        /// may be one already delivered under its old UID, so until it is recorded it is matched
        /// against the store by content (``RemoteMessage/uniqueIDReset``). 1 when it never changed.
        public var resetBelow: UInt32

        public init(uidValidity: UInt32, resetBelow: UInt32 = 1) {
            self.uidValidity = uidValidity
            self.resetBelow = resetBelow
        }

        private enum CodingKeys: String, CodingKey {
            case uidValidity, resetBelow
            case firstUID  // the name of `resetBelow` in records written before it was a key of the sync record
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            uidValidity = try container.decode(UInt32.self, forKey: .uidValidity)
            resetBelow =
                try container.decodeIfPresent(UInt32.self, forKey: .resetBelow)
                ?? container.decodeIfPresent(UInt32.self, forKey: .firstUID) ?? 1
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(uidValidity, forKey: .uidValidity)
            try container.encode(resetBelow, forKey: .resetBelow)
        }
    }

    /// The format version of the file.
    public var version = 1
    /// Entries by UIDL.
    public var messages: [String: Entry] = [:]
    /// Per-mailbox records of a source that has them (IMAP), by the mailbox's wire name; nil for
    /// POP3 (stored under `mailboxes`, absent from older files).
    public var mailboxes: [String: MailboxRecord]?
    /// The protocol whose unique-ids the record holds (POP3 UIDLs, or IMAP's mailbox, UIDVALIDITY
    /// and UID), stored under `incomingProtocol`; nil in files written before the key existed,
    /// which are taken to be the reader's. A pass over the other protocol (the account changed
    /// protocol) never reads these ids as its own: see ``MailboxSync/Options/incomingProtocol``.
    public var incomingProtocol: IncomingProtocol?
    /// Set while a wholesale unique-id change (a POP3 mailbox migrated or rebuilt) is being
    /// worked through: the ids recorded before it are gone from this record, so until a pass
    /// ends normally every new message is matched against the store by content. Stored under
    /// `resetPending` only while true.
    public var resetPending: Bool?

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
        try await DurableFile.replace(at: path, with: try encodedJSON())
    }

    /// The file's JSON text, the same `JSONDecoder` reads, written member by member: the record
    /// is saved after every batch, and `JSONEncoder` took several milliseconds each time for a
    /// mailbox of 2,000 messages.
    /// - Throws: `EncodingError.invalidValue` for a date that is not finite, as `JSONEncoder` does.
    func encodedJSON() throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + messages.count * 72)
        out += Array("{\"version\":\(version)".utf8)
        if let incomingProtocol { out += Array(",\"incomingProtocol\":\"\(incomingProtocol.rawValue)\"".utf8) }
        if let resetPending { out += Array(",\"resetPending\":\(resetPending)".utf8) }
        if let mailboxes {
            out += Array(",\"mailboxes\":{".utf8)
            for (index, (name, record)) in mailboxes.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendString(name, to: &out)
                out += Array(":{\"uidValidity\":\(record.uidValidity),\"resetBelow\":\(record.resetBelow)}".utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        out += Array(",\"messages\":{".utf8)
        var first = true
        for (uid, entry) in messages {
            guard entry.firstSeen.isFinite else {
                throw EncodingError.invalidValue(
                    entry.firstSeen, .init(codingPath: [], debugDescription: "firstSeen of \(uid) is not finite"))
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            Self.appendString(uid, to: &out)
            out += Array(":{\"firstSeen\":\(entry.firstSeen),\"delivered\":\(entry.delivered)}".utf8)
        }
        out += Array("}}".utf8)
        return out
    }

    /// `text` as a JSON string (RFC 8259 §7): quotation mark, reverse solidus and control
    /// characters escaped, everything else as its UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
