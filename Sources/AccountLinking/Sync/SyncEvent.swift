import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a host UI can show about syncing: one event per step of each account's sync.
public struct SyncEvent: Sendable, Equatable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// A sync of the account began.
        case started
        /// The server's listing is known: `total` messages, `new` of them to fetch.
        case listed(total: Int, new: Int)
        /// `fetched` of `new` messages are in the store, `bytes` so far.
        case progress(fetched: Int, of: Int, bytes: Int)
        /// The sync ended with this report.
        case finished(MailboxSync.Report)
        /// The sync failed; the diagnosis says why and what to do. With a ``SyncScheduler``, a
        /// ``scheduled(at:reason:)`` event follows with the retry.
        case failed(LinkDiagnosis)
        /// A ``SyncScheduler`` set the account's next check.
        case scheduled(at: Date, reason: AccountSchedule.Reason)
        /// The account is no longer checked until its owner acts (a password refused again and
        /// again, OAuth required, POP switched off); the diagnosis says what to do.
        case needsAttention(LinkDiagnosis)
    }

    /// The account.
    public var account: AccountID
    /// What happened.
    public var kind: Kind
    /// When.
    public var time: Date

    /// An event.
    public init(account: AccountID, kind: Kind, time: Date) {
        self.account = account
        self.kind = kind
        self.time = time
    }

    /// `account: what happened`.
    public var description: String {
        switch kind {
        case .started: "\(account): sync started"
        case .listed(let total, let new): "\(account): \(total) messages on the server, \(new) new"
        case .progress(let fetched, let total, let bytes): "\(account): \(fetched) of \(total) fetched (\(bytes) bytes)"
        case .finished(let report) where report.heldElsewhere:
            "\(account): another process is syncing it; this check was skipped"
        case .finished(let report) where report.stateRebuilt:
            "\(account): the sync record was unreadable and was rebuilt from the stored mail; "
                + "fetched \(report.fetched) new messages (\(report.bytes) bytes)"
        case .finished(let report) where report.uniqueIDReset:
            "\(account): the server changed its unique-ids; \(report.recognisedByContent) messages recognised "
                + "by content as already stored; fetched \(report.fetched) new messages (\(report.bytes) bytes)"
        case .finished(let report): "\(account): fetched \(report.fetched) new messages (\(report.bytes) bytes)"
        case .failed(let diagnosis): "\(account): sync failed: \(diagnosis.summary)"
        case .scheduled(let time, let reason):
            "\(account): next check \(time.formatted(.iso8601)) (\(reason))"
        case .needsAttention(let diagnosis):
            "\(account): needs its owner: \(diagnosis.summary); \(diagnosis.suggestion)"
        }
    }
}

/// Hands every element to every current subscriber (each an `AsyncStream`); elements sent while
/// nobody listens are dropped. Each subscriber buffers at most `bufferSize` elements, dropping the
/// oldest, so a UI that stops reading cannot make the sync hold memory without bound.
final class Broadcast<Element: Sendable>: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<Element>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    private let bufferSize: Int

    init(bufferSize: Int = 1024) { self.bufferSize = bufferSize }

    func subscribe() -> AsyncStream<Element> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(bufferSize))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    func send(_ element: Element) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(element) }
    }

    func finish() {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
}
