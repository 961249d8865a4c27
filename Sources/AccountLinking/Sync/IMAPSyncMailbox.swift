import FolderRouting
import IMAPProtocol
import MailMessage
import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A logged-in `IMAPClient` session seen as a ``RemoteMailbox`` for ``MailboxSync``: one or more
/// IMAP mailboxes listed as one, each message keyed on (mailbox, UIDVALIDITY, UID) as RFC 9051
/// §2.3.1.1 requires, so ``MailboxSync`` delivers every message exactly once.
///
/// ```swift
/// let source = IMAPSyncMailbox(client: client, selection: .inbox)
/// let report = try await MailboxSync(options: options, store: store, statePath: statePath).run(source)
/// ```
///
/// - Bodies are fetched with `BODY.PEEK[]` (RFC 9051 §6.4.5), so the server's `\Seen` flags stay
///   as they were; `\Seen` and `\Flagged` are reported on each ``RemoteMessage`` and reach the
///   Maildir as its `S` and `F` flags.
/// - Deletions (copies not kept, or older than N days by INTERNALDATE) are marked `\Deleted` and
///   removed with `UID EXPUNGE` (RFC 4315 §2.1) at ``finish()``, only after ``MailboxSync``
///   stored and recorded them; without UIDPLUS a plain `EXPUNGE` is used (RFC 9051 §6.4.3).
/// - A UIDVALIDITY change voids every UID recorded before (RFC 9051 §2.3.1.1). It is never a
///   reason to import a mailbox again: the messages present when the change is seen carry
///   ``RemoteMessage/uniqueIDReset``, so ``MailboxSync`` matches each against the store by content
///   (the fingerprint rule of a POP3 UIDL reset) and stores only those it lacks; the first UID
///   after them is recorded with the new UIDVALIDITY, so a pass cut short keeps matching the rest.
///   The change is reported in ``uidValidityChanges``.
/// - Each mailbox's UIDVALIDITY is recorded in the sync record itself (``SyncState/mailboxes``),
///   written with the unique-ids in one durable step, or in a file of its own (`recordPath`).
public actor IMAPSyncMailbox: RemoteMailbox {
    /// Which mailboxes a sync reads.
    public enum Selection: Sendable, Hashable {
        /// Only INBOX (the default).
        case inbox
        /// These mailboxes, by their wire names (`INBOX`, `Archive/2026`).
        case named([String])
        /// Every selectable mailbox except Trash, Junk and Drafts, and the virtual `\All` and
        /// `\Flagged` views (RFC 6154 §2), unless listed in `including`.
        case all(including: Set<IMAPSpecialUse> = [])
        /// The mailboxes with these special uses (RFC 6154 §2), plus INBOX when `inbox` is true.
        case specialUse(Set<IMAPSpecialUse>, inbox: Bool = true)
    }

    /// A mailbox whose UIDVALIDITY differs from the one recorded.
    public struct UIDValidityChange: Sendable, Hashable {
        /// The mailbox's wire name.
        public var mailbox: String
        /// The UIDVALIDITY recorded before.
        public var recorded: UInt32
        /// The server's now.
        public var current: UInt32
    }

    /// The session, logged in (RFC 9051 authenticated state).
    public let client: IMAPClient
    /// The mailboxes read.
    public let selection: Selection
    /// The file that records each mailbox's UIDVALIDITY (replaced durably and atomically); nil
    /// keeps it in the sync record (``SyncState/mailboxes``).
    public let recordPath: String?
    /// Whether each message carries the folder it came from (``RemoteMessage/sourceFolder``), so
    /// that mailboxes other than INBOX are kept as folders under the account's folder.
    public let keepsSourceFolders: Bool
    /// The UIDVALIDITY changes seen by the last ``listing()``.
    public private(set) var uidValidityChanges: [UIDValidityChange] = []

    private struct Listed {
        var mailbox: IMAPMailboxName
        var uid: UInt32
    }
    private var listed: [Listed] = []
    private var deletions: [IMAPMailboxName: [UInt32]] = [:]
    private var selected: IMAPMailboxName?
    private var listedValidity: [IMAPMailboxName: UInt32] = [:]

    /// A source over `client`, reading `selection`, remembering UIDVALIDITY in `recordPath` (nil:
    /// in the sync record), with the source folders kept when `keepsSourceFolders`.
    public init(
        client: IMAPClient, selection: Selection = .inbox, recordPath: String? = nil, keepsSourceFolders: Bool = false
    ) {
        self.client = client
        self.selection = selection
        self.recordPath = recordPath
        self.keepsSourceFolders = keepsSourceFolders
    }

    /// The listing, with the UIDVALIDITY record kept in `recordPath` (or nowhere, without one).
    public func listing() async throws -> [RemoteMessage] {
        var state = SyncState()
        return try await listing(recording: &state)
    }

    /// The listing; each mailbox's UIDVALIDITY is recorded in `state` (or `recordPath`).
    public func listing(recording state: inout SyncState) async throws -> [RemoteMessage] {
        var record: [String: SyncState.MailboxRecord]
        if let recordPath {
            record = try await UIDValidityRecord.load(from: recordPath).mailboxes
        } else {
            record = state.mailboxes ?? [:]
        }
        let before = record
        var messages: [RemoteMessage] = []
        listed = []
        uidValidityChanges = []
        for (mailbox, delimiter) in try await chosenMailboxes() {
            let opened = try await client.select(mailbox)
            selected = mailbox
            guard let validity = opened.uidValidity else {
                throw SyncError(.inconsistentServer, "\(mailbox.wire) has no UIDVALIDITY")
            }
            var entry = record[mailbox.wire] ?? .init(uidValidity: validity)
            if entry.uidValidity != validity {
                uidValidityChanges.append(
                    UIDValidityChange(mailbox: mailbox.wire, recorded: entry.uidValidity, current: validity))
                // Every message present now may be one already delivered under its old UID.
                entry = .init(uidValidity: validity, resetBelow: opened.uidNext ?? UInt32.max)
            }
            record[mailbox.wire] = entry
            listedValidity[mailbox] = validity
            guard opened.messageCount > 0 else { continue }
            let key = Self.key(for: mailbox)
            let folder = keepsSourceFolders ? Self.folderComponents(of: mailbox, delimiter: delimiter) : []
            for summary in try await client.messageSummaries() {
                listed.append(Listed(mailbox: mailbox, uid: summary.uid))
                var message = RemoteMessage(
                    number: listed.count, uniqueID: "\(validity).\(summary.uid)\(key)", size: summary.size)
                message.isSeen = summary.hasFlag("\\Seen")
                message.isFlagged = summary.hasFlag("\\Flagged")
                message.receivedDate = summary.internalDate.flatMap(Self.parseInternalDate)
                message.uniqueIDReset = summary.uid < entry.resetBelow
                message.sourceFolder = folder
                messages.append(message)
            }
        }
        if record != before {
            if let recordPath {
                try await UIDValidityRecord(mailboxes: record).save(to: recordPath)
            } else {
                state.mailboxes = record
            }
        }
        return messages
    }

    /// The folder components a mailbox is kept as: its display name split at the delimiter, each
    /// part made a safe folder name; none for INBOX.
    package static func folderComponents(of mailbox: IMAPMailboxName, delimiter: String?) -> [String] {
        guard !mailbox.isInbox else { return [] }
        let name = mailbox.displayName
        let parts = delimiter.map { name.components(separatedBy: $0) } ?? [name]
        return parts.filter { !$0.isEmpty }.map(Folder.safeComponent)
    }

    public func retrieve(_ numbers: [Int], maximumSize: Int) async throws -> [[UInt8]] {
        try await gatheredRetrieval(numbers, maximumSize: maximumSize)
    }

    /// Pipelined UID FETCH per mailbox (``IMAPClient/fetchMessages(_:maximumSize:handler:)``),
    /// each message handed over as soon as its literal is read: nothing waits for the batch.
    public func retrieve(
        _ numbers: [Int], maximumSize: Int,
        chunk: @escaping @Sendable (_ number: Int, _ bytes: [UInt8]) async throws -> Void,
        end: @escaping @Sendable (_ number: Int, _ size: Int) async throws -> Void
    ) async throws {
        let wanted = try numbers.map(entry)
        var start = 0
        while start < wanted.count {
            let mailbox = wanted[start].mailbox
            var last = start
            while last < wanted.count, wanted[last].mailbox == mailbox { last += 1 }
            try await open(mailbox)
            var numberByUID: [UInt32: Int] = [:]
            for (number, item) in zip(numbers[start..<last], wanted[start..<last]) { numberByUID[item.uid] = number }
            let lookup = numberByUID
            try await client.fetchMessages(wanted[start..<last].map(\.uid), maximumSize: maximumSize) { message in
                guard let number = lookup[message.uid] else { return }
                if !message.content.isEmpty { try await chunk(number, message.content) }
                try await end(number, message.content.count)
            }
            start = last
        }
    }

    public func retrieve(
        _ number: Int, maximumSize: Int, into sink: @escaping @Sendable ([UInt8]) async throws -> Void
    ) async throws {
        let item = try entry(number)
        try await open(item.mailbox)
        guard try await client.streamMessage(uid: item.uid, maximumSize: maximumSize, into: sink) != nil else {
            throw SyncError(.inconsistentServer, "message \(number) was not returned")
        }
    }

    public func markDeleted(_ numbers: [Int]) async throws {
        for item in try numbers.map(entry) { deletions[item.mailbox, default: []].append(item.uid) }
    }

    /// Removes the marked messages (`UID STORE +FLAGS.SILENT (\Deleted)`, then `UID EXPUNGE`,
    /// or `EXPUNGE` without UIDPLUS) and logs out.
    public func finish() async throws {
        let uidPlus = await client.capabilities.uidPlus
        for (mailbox, uids) in deletions.sorted(by: { $0.key.wire < $1.key.wire }) {
            try await open(mailbox)
            try await client.markDeleted(uids)
            if uidPlus {
                try await client.expunge(uids)
            } else {
                try await client.expungeAll()
            }
        }
        deletions = [:]
        try await client.logout()
    }

    private func entry(_ number: Int) throws -> Listed {
        guard number >= 1, number <= listed.count else {
            throw SyncError(.inconsistentServer, "message \(number) is not in the listing")
        }
        return listed[number - 1]
    }

    private func open(_ mailbox: IMAPMailboxName) async throws {
        guard selected != mailbox else { return }
        _ = try await client.select(mailbox, expectedUIDValidity: listedValidity[mailbox])
        selected = mailbox
    }

    /// The mailboxes read, each with its hierarchy delimiter when LIST gave it.
    private func chosenMailboxes() async throws -> [(IMAPMailboxName, String?)] {
        switch selection {
        case .inbox:
            return [(.inbox, nil)]
        case .named(let names):
            let delimiters = keepsSourceFolders ? try await listedDelimiters() : [:]
            return names.map { IMAPMailboxName(wire: $0) }.map { ($0, delimiters[$0] ?? nil) }
        case .all(let including):
            let skipped: Set<IMAPSpecialUse> = [.trash, .junk, .drafts, .all, .flagged]
            return try await client.listMailboxes().filter { mailbox in
                guard mailbox.isSelectable else { return false }
                guard let use = mailbox.specialUse else { return true }
                return !skipped.contains(use) || including.contains(use)
            }.map { ($0.name, $0.delimiter) }
        case .specialUse(let uses, let inbox):
            let found = try await client.listMailboxes().filter { mailbox in
                mailbox.isSelectable && mailbox.specialUse.map(uses.contains) == true
            }.map { ($0.name, $0.delimiter) }
            return (inbox ? [(.inbox, nil)] : []) + found.filter { !$0.0.isInbox }
        }
    }

    private func listedDelimiters() async throws -> [IMAPMailboxName: String?] {
        var delimiters: [IMAPMailboxName: String?] = [:]
        for mailbox in try await client.listMailboxes() { delimiters[mailbox.name] = mailbox.delimiter }
        return delimiters
    }

    /// `@` plus the mailbox's wire name, escaped to RFC 1939 §7's 0x21–0x7E; a digest when long.
    package static func key(for mailbox: IMAPMailboxName) -> String {
        if mailbox.isInbox { return "@INBOX" }
        var escaped = "@"
        for byte in mailbox.wireBytes {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "%") {
                escaped.append(Character(Unicode.Scalar(byte)))
            } else {
                escaped += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        guard escaped.count > 40 else { return escaped }
        return "@#" + HexEncoding.encode(Array(SHA256.hash(mailbox.wireBytes).prefix(12)))
    }

    /// Parses an INTERNALDATE (RFC 9051 §9 `date-time`: `"02-Dec-2026 09:00:00 +0000"`, day maybe
    /// space-padded): RFC 5322's `day month year time zone` with dashes in the date, read by
    /// ``MailDate``, byte by byte in the usual form. (A `DateFormatter` per message cost more than
    /// the message's delivery.)
    public static func parseInternalDate(_ text: String) -> Date? {
        if let date = MailDate(canonical: text, internalDate: true) { return date.date }
        let trimmed = text.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " "), trimmed[..<space].count(where: { $0 == "-" }) == 2 else {
            return nil
        }
        let day = trimmed[..<space].map { $0 == "-" ? " " : $0 }
        return try? MailDate(parsing: String(day) + trimmed[space...]).date
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

/// Each IMAP mailbox's UIDVALIDITY as last seen, in a file of its own (``SyncState/MailboxRecord``).
/// Versioned JSON.
struct UIDValidityRecord: Codable, Equatable, Sendable {
    var version = 1
    var mailboxes: [String: SyncState.MailboxRecord] = [:]

    static func load(from path: String) async throws -> UIDValidityRecord {
        guard let bytes = try await DurableFile.read(at: path) else { return UIDValidityRecord() }
        do {
            return try JSONDecoder().decode(UIDValidityRecord.self, from: Data(bytes))
        } catch {
            throw SyncError(.stateUnreadable, "the UIDVALIDITY record \(path) is not readable: \(error)")
        }
    }

    func save(to path: String) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await DurableFile.replace(at: path, with: Array(try encoder.encode(self)))
    }
}
