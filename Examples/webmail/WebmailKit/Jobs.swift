import AccountLinking
import MailAuth
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Something the server does while a page watches: linking an account (its ``LinkStep``s) or
/// the troubleshooting checklist (its ``ConnectionCheck/Step``s). Lines are recorded as they
/// happen and streamed to the page; a page that loads late replays them.
final class Job: Sendable {
    /// One line of the indicator.
    struct Line: Sendable, Equatable {
        /// `step`, `advice`, `pass`, `fail` or `done`: how the page shows it.
        var kind: String
        var text: String
        /// A page to open (the provider's sign-in page); only http and https links are kept.
        var link: String?

        init(kind: String, text: String, link: String? = nil) {
            self.kind = kind
            self.text = text
            self.link = link.flatMap { URL(string: $0) }.flatMap {
                ["http", "https"].contains($0.scheme ?? "") ? $0 : nil
            }
            .map(\.absoluteString)
        }
    }

    /// How a job ended.
    enum Outcome: Sendable {
        case confirmationSent(String)
        case updated(String)
        case needsManualSettings(LinkDiagnosis)
        case needsApproval(DiscoveredAccountSettings)
        case confirmationNotSent(String, LinkDiagnosis)
        case checked(address: String, LinkDiagnosis?)
    }

    struct State {
        var lines: [Line] = []
        var outcome: Outcome?
        var found: DiscoveredAccountSettings?
        var waiters: [UUID: AsyncStream<Void>.Continuation] = [:]
    }

    let id = SessionStore.randomToken()
    /// The session that started it: no other session may watch it.
    let session: String
    /// What the user typed (never the password).
    let form: AddAccountForm
    /// Kept only while the user may approve discovered settings, so they need not type it again.
    let heldSecret: Mutex<Credentials.Secret?>
    private let state = Mutex(State())

    init(session: String, form: AddAccountForm, secret: Credentials.Secret?) {
        self.session = session
        self.form = form
        heldSecret = Mutex(secret)
    }

    var lines: [Line] { state.withLock { $0.lines } }
    var outcome: Outcome? { state.withLock { $0.outcome } }
    var found: DiscoveredAccountSettings? { state.withLock { $0.found } }

    func append(_ line: Line) {
        let waiters = state.withLock { state in
            state.lines.append(line)
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.yield() }
    }

    func noteFound(_ settings: DiscoveredAccountSettings) { state.withLock { $0.found = settings } }

    func finish(_ outcome: Outcome) {
        if case .needsApproval = outcome {} else { heldSecret.withLock { $0 = nil } }
        let waiters = state.withLock { state in
            state.outcome = outcome
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.yield()
            waiter.finish()
        }
    }

    /// A signal each time a line is added or the job ends.
    func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let key = UUID()
        let finished = state.withLock { state -> Bool in
            guard state.outcome == nil else { return true }
            state.waiters[key] = continuation
            return false
        }
        if finished { continuation.finish() }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.waiters.removeValue(forKey: key) }
        }
        return stream
    }

    /// Streams the lines to a page: each as a `step` event, then one `done` event when the job ends.
    func stream(to writer: EventStreamWriter) async {
        var sent = 0
        let changes = changes()
        var iterator = changes.makeAsyncIterator()
        while true {
            let (lines, finished) = state.withLock { ($0.lines, $0.outcome != nil) }
            do {
                while sent < lines.count {
                    try await writer.send(event: "step", data: Self.json(lines[sent]))
                    sent += 1
                }
                if finished {
                    try await writer.send(event: "done", data: "{}")
                    return
                }
            } catch {
                return
            }
            guard await iterator.next() != nil else { continue }
        }
    }

    static func json(_ line: Line) -> String {
        var object = ["kind": line.kind, "text": line.text]
        if let link = line.link { object["link"] = link }
        return JSONValue.object(object.mapValues(JSONValue.string)).jsonText
    }
}

/// Jobs of every session, at most `capacity` (the oldest forgotten first).
final class JobTable: Sendable {
    let capacity: Int
    private let jobs = Mutex<[Job]>([])

    init(capacity: Int = 64) { self.capacity = capacity }

    func add(_ job: Job) {
        jobs.withLock { jobs in
            jobs.append(job)
            if jobs.count > capacity { jobs.removeFirst(jobs.count - capacity) }
        }
    }

    func job(_ id: String?, session: SessionStore.Session) -> Job? {
        guard let id else { return nil }
        return jobs.withLock { jobs in jobs.first { $0.id == id && $0.session == session.id } }
    }
}
