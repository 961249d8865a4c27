import Dispatch
import FolderRouting
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What ``LMTPMailStore`` remembers of the messages it delivered: one file per account,
/// `<directory>/<account>.jsonl`, appended and `fsync`ed after each 250 from the server.
///
/// A mail server cannot be asked "do you hold the message from this account and unique-id?",
/// so the store keeps the answer itself, as ``MaildirStore`` keeps it beside its files. The first
/// line names the format; each further line is one delivery with stable, readable keys:
///
/// ```
/// {"account":"ivan@example.test","format":"maillink-lmtp-deliveries","version":1}
/// {"content":"content:2048:9f86…","folder":["Work"],"id":"lmtp-…","recipient":"judy+Work@example.test","size":2048,"time":"2026-12-02T13:30:00Z","uidl":"00000001"}
/// ```
///
/// One file per account because one process at a time syncs an account (``AccountLocks``), so each
/// file has one writer while any number of processes share the folder. Each read picks up what
/// another process appended since (the file only grows). A line cut short by a crash is ignored
/// and cut off before the next append; any other unreadable line stops deliveries for that account
/// (``StateFileError``) rather than risk delivering twice.
///
/// All file work runs on one serial Dispatch queue (never Swift's cooperative pool), which also
/// guards the in-memory index.
final class LMTPDeliveryLog: @unchecked Sendable {
    /// One delivered message.
    struct Entry: Codable, Sendable, Hashable {
        var id: String
        var account: String?
        var uidl: String?
        var content: String
        var folder: Folder
        var marker: MarkerColor?
        var size: Int
        var recipient: String
        var time: Date

        var origin: MessageOrigin? {
            guard let account, let uidl else { return nil }
            return MessageOrigin(account: account, uidl: uidl)
        }
    }

    private struct Header: Codable {
        var format: String
        var version: Int
        var account: String
    }

    static let format = "maillink-lmtp-deliveries"
    static let version = 1

    /// One account's file as read so far.
    private struct AccountFile {
        var path: String
        /// Bytes read and parsed: everything up to the last complete line.
        var offset = 0
        var entries: [Entry] = []
        var byUIDL: [String: Int] = [:]

        mutating func index(_ entry: Entry) {
            if let uidl = entry.uidl { byUIDL[uidl] = entries.count }
            entries.append(entry)
        }
    }

    let directory: String
    private let queue = DispatchQueue(label: "AccountLinking.LMTPDeliveryLog")
    /// Confined to `queue`.
    private var files: [String: AccountFile] = [:]

    /// A log in `directory`, created when missing.
    init(directory: String) throws {
        try StateFolder.prepare(directory)
        self.directory = directory
    }

    /// Runs `body` on the log's queue.
    func run<T: Sendable>(_ body: @escaping @Sendable (LMTPDeliveryLog) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self) }) }
        }
    }

    // MARK: On the queue

    func path(for account: String) -> String {
        directory + "/" + FileSyncStateStore.fileSafe(account) + ".jsonl"
    }

    /// The delivery recorded for `origin`, reading what was appended since the last look.
    func entry(for origin: MessageOrigin) throws -> Entry? {
        let file = try refreshed(origin.account)
        return file.byUIDL[origin.uidl].map { file.entries[$0] }
    }

    /// Every delivery of `account`.
    func entries(of account: String) throws -> [Entry] {
        try refreshed(account).entries
    }

    /// Every delivery of every account with a file in the folder.
    func allEntries() throws -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [Entry] = []
        for name in names.sorted() where name.hasSuffix(".jsonl") {
            guard let account = try header(at: directory + "/" + name)?.account else { continue }
            entries += try refreshed(account).entries
        }
        return entries
    }

    /// Appends `entry` to its account's file and `fsync`s it (and the folder, for a new file).
    func append(_ entry: Entry, account: String) throws {
        var file = try refreshed(account)
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("open", file.path) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        if file.offset == 0 {
            bytes = try Self.line(Header(format: Self.format, version: Self.version, account: account))
        }
        bytes += try Self.line(entry)
        // Anything after the last complete line is a write cut short by a crash: cut it off.
        guard ftruncate(descriptor, off_t(file.offset)) == 0, lseek(descriptor, off_t(file.offset), SEEK_SET) >= 0
        else {
            throw failure("truncate", file.path)
        }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure("write", file.path) }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw failure("sync", file.path) }
        if file.offset == 0 { try syncDirectory() }
        let parsed = try Self.parse(bytes, path: file.path, skippingHeader: file.offset == 0)
        file.offset += bytes.count
        for entry in parsed.entries { file.index(entry) }
        files[account] = file
    }

    // MARK: Reading

    /// The account's file with every complete line read.
    private func refreshed(_ account: String) throws -> AccountFile {
        var file = files[account] ?? AccountFile(path: path(for: account))
        let size = Self.size(of: file.path)
        if size < file.offset { file = AccountFile(path: file.path) }  // replaced: read again
        guard size > file.offset else {
            files[account] = file
            return file
        }
        let tail = try Self.read(file.path, from: file.offset)
        let parsed = try Self.parse(tail, path: file.path, skippingHeader: file.offset == 0, account: account)
        file.offset += parsed.consumed
        for entry in parsed.entries { file.index(entry) }
        files[account] = file
        return file
    }

    private func header(at path: String) throws -> Header? {
        guard let bytes = try? Self.read(path, from: 0, limit: 4096), let end = bytes.firstIndex(of: 0x0A) else {
            return nil
        }
        return try? JSONDecoder().decode(Header.self, from: Data(bytes[..<end]))
    }

    /// The complete lines of `bytes`: the entries, and how many bytes they span.
    private static func parse(
        _ bytes: [UInt8], path: String, skippingHeader: Bool, account: String? = nil
    ) throws -> (entries: [Entry], consumed: Int) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var entries: [Entry] = []
        var start = 0
        var expectHeader = skippingHeader
        while let end = bytes[start...].firstIndex(of: 0x0A) {
            let line = Data(bytes[start..<end])
            start = end + 1
            if expectHeader {
                expectHeader = false
                guard let header = try? decoder.decode(Header.self, from: line), header.format == format else {
                    throw StateFileError(.unreadable, path: path, detail: "it is not a \(format) file")
                }
                guard header.version <= version else {
                    throw StateFileError(
                        .newerVersion, path: path,
                        detail: "it has version \(header.version); this MailLink reads up to \(version)")
                }
                if let account, header.account != account {
                    throw StateFileError(
                        .unreadable, path: path, detail: "it records \(header.account), not \(account)")
                }
                continue
            }
            do {
                entries.append(try decoder.decode(Entry.self, from: line))
            } catch {
                throw StateFileError(
                    .unreadable, path: path,
                    detail:
                        "a delivery line cannot be read, so deliveries stop rather than risk a duplicate; repair or remove that line"
                )
            }
        }
        return (entries, start)
    }

    private static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value)) + [0x0A]
    }

    private static func size(of path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func read(_ path: String, from offset: Int, limit: Int = .max) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StateFileError(.unreadable, path: path, detail: "it cannot be opened") }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var position = off_t(offset)
        while result.count < limit {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, position) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw StateFileError(.unreadable, path: path, detail: "it cannot be read") }
            if count == 0 { break }
            result += buffer[..<count]
            position += off_t(count)
        }
        return result
    }

    private func syncDirectory() throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("sync", directory) }
    }

    private func failure(_ operation: String, _ path: String) -> MailStoreError {
        let number = errno
        let code: MailStoreError.Code =
            [ENOSPC, EDQUOT].contains(number)
            ? .diskFull : [EACCES, EPERM, EROFS].contains(number) ? .notWritable : .ioFailure
        return MailStoreError(code, "cannot \(operation) the delivery record \(path)", errno: number, path: path)
    }
}
