/// What a `UIDL` listing says about its own ids: which messages a sync may key by their unique
/// id, and which it must key another way (a content fingerprint) or refuse.
///
/// RFC 1939 §7 promises that a unique id is 1 to 70 bytes from 0x21 to 0x7E and that no two
/// messages of a maildrop share one. A broken server breaks both: ids with spaces, controls or
/// 8-bit text, and the same id on two messages. Keying such messages by id loses mail (the
/// second one looks already delivered) and, with deletion on, deletes a message that was never
/// stored. The audit compares ids byte for byte, exactly as sent.
///
/// ```swift
/// let listing = try await client.uidlAll()
/// let audit = POP3UniqueIDAudit(listing)
/// for entry in listing {
///     if let key = audit.trustedID(of: entry.number) { /* dedupe by account + key */ }
///     else { /* dedupe by content fingerprint; never delete on the strength of the id */ }
/// }
/// ```
public struct POP3UniqueIDAudit: Sendable, Hashable {
    /// Message numbers whose id is also another message's id (compared byte for byte),
    /// ascending. Every message of a colliding group is listed, the first one included.
    public let duplicated: [Int]
    /// Message numbers whose id breaks RFC 1939 §7 (see ``POP3UniqueID/defect``), ascending.
    public let nonConforming: [Int]
    /// Message numbers that appear on more than one line of the listing, ascending.
    public let repeatedNumbers: [Int]
    /// The id of each message whose id can be trusted: listed once, conforming, shared with no
    /// other message.
    public let trustedIDs: [Int: String]

    /// Audits `listing`, the answer to `UIDL` (``POP3Client/uidlAll()``).
    public init(_ listing: [POP3UniqueID]) {
        // One number per id and one set entry per number: no list per id, so auditing a listing
        // of tens of thousands of messages costs little beside the listing itself.
        var firstNumberByID: [[UInt8]: Int] = [:]
        firstNumberByID.reserveCapacity(listing.count)
        var listedNumbers = Set<Int>(minimumCapacity: listing.count)
        var duplicated: Set<Int> = []
        var repeated: Set<Int> = []
        var nonConforming: Set<Int> = []
        for entry in listing {
            if let first = firstNumberByID[entry.bytes] {
                duplicated.insert(first)
                duplicated.insert(entry.number)
            } else {
                firstNumberByID[entry.bytes] = entry.number
            }
            if !listedNumbers.insert(entry.number).inserted { repeated.insert(entry.number) }
            if !entry.isConforming { nonConforming.insert(entry.number) }
        }
        var trusted = [Int: String](minimumCapacity: listing.count)
        for entry in listing
        where !duplicated.contains(entry.number) && !nonConforming.contains(entry.number)
            && !repeated.contains(entry.number)
        {
            trusted[entry.number] = entry.uid
        }
        self.duplicated = duplicated.sorted()
        self.nonConforming = nonConforming.sorted()
        self.repeatedNumbers = repeated.sorted()
        self.trustedIDs = trusted
    }

    /// Whether every message can be keyed by its id.
    public var isClean: Bool { duplicated.isEmpty && nonConforming.isEmpty && repeatedNumbers.isEmpty }

    /// The id to key message `number` by, or nil when its id is duplicated, non-conforming,
    /// listed twice, or the message is not in the listing: then the id proves nothing about
    /// which message it names, and the sync must use the content (and never delete by the id).
    public func trustedID(of number: Int) -> String? { trustedIDs[number] }
}
