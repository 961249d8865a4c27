import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One message as a mailbox lists it.
public struct RemoteMessage: Sendable, Hashable {
    /// The message number in this session (RFC 1939: valid only until the session ends).
    public var number: Int
    /// The unique-id that stays the same across sessions (RFC 1939 §7 `UIDL`), as text.
    public var uniqueID: String
    /// The unique-id byte for byte as the server sent it; ids are compared by these bytes.
    public var uniqueIDBytes: [UInt8]
    /// The size the server reports, in octets (a hint: a hostile server may lie).
    public var size: Int
    /// Whether the server has it `\\Seen` (IMAP, RFC 9051 §2.3.2); stored as Maildir's `S` flag.
    public var isSeen = false
    /// Whether the server has it `\\Flagged` (IMAP, RFC 9051 §2.3.2); stored as Maildir's `F` flag.
    public var isFlagged = false
    /// When the server received it (IMAP's INTERNALDATE, RFC 9051 §2.3.3); "delete after N days"
    /// counts from it when known, else from the day a sync first saw the message.
    public var receivedDate: Date?
    /// Whether the server voided the unique-ids it gave before (IMAP's UIDVALIDITY changed,
    /// RFC 9051 §2.3.1.1): this unique-id is new but the message may be one already delivered,
    /// so ``MailboxSync`` matches it against the store by content before storing it.
    public var uniqueIDReset = false
    /// The folder it came from, below the account's destination folder, when the source keeps
    /// its folders (IMAP's `Archive/2026` is `["Archive", "2026"]`); empty for the destination itself.
    public var sourceFolder: [String] = []

    /// A listed message whose id is `uniqueID`'s UTF-8 bytes.
    public init(number: Int, uniqueID: String, size: Int) {
        self.init(number: number, uniqueIDBytes: Array(uniqueID.utf8), size: size)
    }

    /// A listed message whose id is `uniqueIDBytes` exactly as sent (RFC 1939 §7 allows only
    /// 0x21–0x7E; a broken server sends anything, which ``MailboxSync`` handles without loss).
    public init(number: Int, uniqueIDBytes: [UInt8], size: Int) {
        self.number = number
        self.uniqueID = String(decoding: uniqueIDBytes, as: UTF8.self)
        self.uniqueIDBytes = uniqueIDBytes
        self.size = size
    }
}

/// What the sync engine needs from an open mailbox session: the seam between ``MailboxSync``
/// and POP3 (``POP3Mailbox`` adapts `POP3Client`), so the engine's ordering rules are tested on
/// their own.
///
/// Deletions are only marks until ``finish()``, as in POP3's UPDATE state (RFC 1939 §6).
public protocol RemoteMailbox: Sendable {
    /// Every message with its unique-id and size.
    func listing() async throws -> [RemoteMessage]
    /// Every message, given the sync record: a source may note in `state` what it must remember
    /// with the unique-ids (IMAP: each mailbox's UIDVALIDITY, ``SyncState/mailboxes``), saved by
    /// ``MailboxSync`` durably before anything is fetched. By default ``listing()``.
    func listing(recording state: inout SyncState) async throws -> [RemoteMessage]
    /// Retrieves several messages (pipelined when the server allows), in the order asked.
    func retrieve(_ numbers: [Int], maximumSize: Int) async throws -> [[UInt8]]
    /// Retrieves several messages in order (pipelined when the server allows), handing each
    /// one over in chunks as it arrives (`chunk`), then `end` with its size: memory follows what
    /// the caller keeps, not the sizes the listing claimed.
    func retrieve(
        _ numbers: [Int], maximumSize: Int,
        chunk: @escaping @Sendable (_ number: Int, _ bytes: [UInt8]) async throws -> Void,
        end: @escaping @Sendable (_ number: Int, _ size: Int) async throws -> Void
    ) async throws
    /// Retrieves one message, handing its bytes to `sink` in chunks (bounded memory).
    func retrieve(_ number: Int, maximumSize: Int, into sink: @escaping @Sendable ([UInt8]) async throws -> Void) async throws
    /// Marks messages for deletion; they are removed by ``finish()``.
    func markDeleted(_ numbers: [Int]) async throws
    /// Ends the session; marked deletions take effect now.
    func finish() async throws
    /// The shortest time the server allows between logins, when it says (POP3 `LOGIN-DELAY`,
    /// RFC 2449 §6.8); nil when it does not.
    var loginDelay: Duration? { get async }
}

extension RemoteMailbox {
    /// The listing, with nothing to record.
    public func listing(recording state: inout SyncState) async throws -> [RemoteMessage] {
        try await listing()
    }

    /// No login delay unless the mailbox says.
    public var loginDelay: Duration? { get async { nil } }

    /// Built on the whole-message retrieval: each message is one chunk. A mailbox whose protocol
    /// announces the true size before the bytes (IMAP literals, RFC 9051 §4.3) loses nothing by
    /// this; POP3, where only LIST tells and may lie, implements it for real.
    public func retrieve(
        _ numbers: [Int], maximumSize: Int,
        chunk: @escaping @Sendable (_ number: Int, _ bytes: [UInt8]) async throws -> Void,
        end: @escaping @Sendable (_ number: Int, _ size: Int) async throws -> Void
    ) async throws {
        for (number, bytes) in zip(numbers, try await retrieve(numbers, maximumSize: maximumSize)) {
            if !bytes.isEmpty { try await chunk(number, bytes) }
            try await end(number, bytes.count)
        }
    }

    /// The whole-message retrieval built on the chunked one, for a mailbox that implements the
    /// chunked one natively: each message's chunks gathered, then all of them in the order asked.
    func gatheredRetrieval(_ numbers: [Int], maximumSize: Int) async throws -> [[UInt8]] {
        let received = Mutex<[Int: [UInt8]]>([:])
        try await retrieve(
            numbers, maximumSize: maximumSize,
            chunk: { number, bytes in received.withLock { $0[number, default: []] += bytes } },
            end: { number, _ in received.withLock { $0[number] = $0[number] ?? [] } })
        return try received.withLock { messages in
            try numbers.map { number in
                guard let message = messages[number] else {
                    throw SyncError(.inconsistentServer, "message \(number) was not returned")
                }
                return message
            }
        }
    }
}

/// A request to end sync passes early at their next batch boundary (a graceful shutdown): set
/// it from any task; ``MailboxSync/run(_:now:stop:events:)`` reads it between batches.
public final class SyncStop: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A signal not yet requested.
    public init() {}

    /// Asks every pass watching this signal to stop at its next batch boundary.
    public func request() { requested.store(true, ordering: .relaxed) }

    /// Whether a stop was asked for.
    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}
