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

/// Where each account's check history is kept (``AccountLinker/history(of:)``: the outcome of
/// its last checks, as a web mail's "view history" shows them), so that it survives a restart
/// and other processes on the same state see it.
///
/// The history is a record for people, not a part of the sync's ordering: a check whose entry
/// is lost (a crash right after it) loses nothing else, and a failure to write it never fails the
/// sync (it is logged).
public protocol SyncHistoryStore: Sendable {
    /// The account's checks, oldest first.
    func checks(for account: AccountID) async throws -> [SyncCheck]
    /// Adds a check, keeping only the newest `kept`.
    func record(_ check: SyncCheck, for account: AccountID, keeping kept: Int) async throws
    /// Forgets the account's checks (it was unlinked).
    func removeChecks(for account: AccountID) async throws
}

/// Check histories in memory: they last as long as the process.
public actor InMemorySyncHistoryStore: SyncHistoryStore {
    private var histories: [AccountID: [SyncCheck]] = [:]

    /// An empty store.
    public init() {}

    public func checks(for account: AccountID) -> [SyncCheck] { histories[account] ?? [] }

    public func record(_ check: SyncCheck, for account: AccountID, keeping kept: Int) {
        var checks = histories[account] ?? []
        checks.append(check)
        if checks.count > kept { checks.removeFirst(checks.count - kept) }
        histories[account] = checks
    }

    public func removeChecks(for account: AccountID) { histories[account] = nil }
}

/// Check histories as files in a folder, one per account: `history-<account>.json`,
/// `{"format": "maillink-history", "version": 1, "checks": [...]}` with each check's `time`
/// (ISO 8601) and either `report` (the counts of ``MailboxSync/Report``, by the same names) or
/// `failure` (`stage`, `summary`, `suggestion`, `serverText`, `transient`, as in
/// ``LinkDiagnosis``).
///
/// Each file is replaced atomically (a temporary file renamed over it, mode 0600) but not
/// `fsync`ed: a thousand accounts checked every few minutes would otherwise pay a disk flush
/// each for a record that only informs. After a power loss the newest entries may be missing;
/// the file is never half written.
public actor FileSyncHistoryStore: SyncHistoryStore {
    /// The folder.
    public let directory: String

    /// A store in `directory`, created when missing.
    /// - Throws: ``StateFileError`` when the folder cannot be created or written.
    public init(directory: String) throws {
        try StateFolder.prepare(directory)
        self.directory = directory
    }

    /// The file of `account`.
    public nonisolated func path(for account: AccountID) -> String {
        directory + "/history-" + FileSyncStateStore.fileSafe(account.rawValue) + ".json"
    }

    public func checks(for account: AccountID) throws -> [SyncCheck] {
        try load(account).map(\.check)
    }

    public func record(_ check: SyncCheck, for account: AccountID, keeping kept: Int) throws {
        // An unreadable file is replaced rather than blocking every later record: it holds
        // nothing the sync depends on.
        var entries = (try? load(account)) ?? []
        entries.append(StoredCheck(check))
        if entries.count > kept { entries.removeFirst(entries.count - kept) }
        try save(entries, for: account)
    }

    public func removeChecks(for account: AccountID) throws {
        let path = path(for: account)
        if unlink(path) != 0, errno != ENOENT {
            throw StateFileError(.unreadable, path: path, detail: "it cannot be removed (\(String(cString: strerror(errno))))")
        }
    }

    private struct Contents: Codable {
        var format = "maillink-history"
        var version = 1
        var checks: [StoredCheck]
    }

    private func load(_ account: AccountID) throws -> [StoredCheck] {
        let path = path(for: account)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let contents: Contents
        do {
            contents = try decoder.decode(Contents.self, from: data)
        } catch {
            throw StateFileError(.unreadable, path: path, detail: "it is not a maillink-history file")
        }
        guard contents.format == "maillink-history" else {
            throw StateFileError(.unreadable, path: path, detail: "it is a \(contents.format) file, not maillink-history")
        }
        guard contents.version <= 1 else {
            throw StateFileError(
                .newerVersion, path: path, detail: "it has format version \(contents.version); this MailLink reads up to 1")
        }
        return contents.checks
    }

    private func save(_ checks: [StoredCheck], for account: AccountID) throws {
        let path = path(for: account)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(Contents(checks: checks))
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw StateFileError(.folderUnusable, path: path, detail: "it cannot be written (\(reason))")
        }
    }
}

/// A check as the history file keeps it.
private struct StoredCheck: Codable {
    struct Counts: Codable {
        var listed, fetched, bytes, recovered, deleted: Int
        var skippedTooLarge: [String]
        var keyedByContent, alreadyStoredByContent, keptForDuplicateIDs, recognisedByContent: Int
        var uniqueIDReset, stateRebuilt, stoppedEarly, heldElsewhere: Bool
        var loginDelaySeconds: Int?
    }

    struct Failure: Codable {
        var stage: String
        var summary: String
        var suggestion: String
        var serverText: String?
        var transient: Bool
    }

    var time: Date
    var report: Counts?
    var failure: Failure?

    init(_ check: SyncCheck) {
        time = check.time
        switch check.result {
        case .success(let report):
            self.report = Counts(
                listed: report.listed, fetched: report.fetched, bytes: report.bytes, recovered: report.recovered,
                deleted: report.deleted, skippedTooLarge: report.skippedTooLarge, keyedByContent: report.keyedByContent,
                alreadyStoredByContent: report.alreadyStoredByContent, keptForDuplicateIDs: report.keptForDuplicateIDs,
                recognisedByContent: report.recognisedByContent, uniqueIDReset: report.uniqueIDReset,
                stateRebuilt: report.stateRebuilt, stoppedEarly: report.stoppedEarly, heldElsewhere: report.heldElsewhere,
                loginDelaySeconds: report.loginDelay.map { Int($0.components.seconds) })
        case .failure(let error):
            let diagnosis = error.diagnosis
            failure = Failure(
                stage: diagnosis.stage.rawValue, summary: diagnosis.summary, suggestion: diagnosis.suggestion,
                serverText: diagnosis.serverText, transient: diagnosis.isTransient)
        }
    }

    var check: SyncCheck {
        if let counts = report {
            var report = MailboxSync.Report()
            report.listed = counts.listed
            report.fetched = counts.fetched
            report.bytes = counts.bytes
            report.recovered = counts.recovered
            report.deleted = counts.deleted
            report.skippedTooLarge = counts.skippedTooLarge
            report.keyedByContent = counts.keyedByContent
            report.alreadyStoredByContent = counts.alreadyStoredByContent
            report.keptForDuplicateIDs = counts.keptForDuplicateIDs
            report.recognisedByContent = counts.recognisedByContent
            report.uniqueIDReset = counts.uniqueIDReset
            report.stateRebuilt = counts.stateRebuilt
            report.stoppedEarly = counts.stoppedEarly
            report.heldElsewhere = counts.heldElsewhere
            report.loginDelay = counts.loginDelaySeconds.map { .seconds($0) }
            return SyncCheck(time: time, result: .success(report))
        }
        let failure = failure ?? Failure(stage: "other", summary: "unknown", suggestion: "", serverText: nil, transient: false)
        let diagnosis = LinkDiagnosis(
            stage: LinkDiagnosis.Stage(rawValue: failure.stage) ?? .other, summary: failure.summary,
            serverText: failure.serverText, suggestion: failure.suggestion, isTransient: failure.transient)
        return SyncCheck(time: time, result: .failure(LinkDiagnosisError(diagnosis)))
    }
}
