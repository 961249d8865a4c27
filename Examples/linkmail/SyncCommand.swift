import AccountLinking
import Dispatch
import FolderRouting
import MailTransport
import Synchronization
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

/// `linkmail sync`: the library's scheduler as a service, or one pass with `--once`.
///
/// The service runs until SIGTERM or SIGINT (passes end at a batch boundary, exit 0); SIGUSR1
/// checks every account now. Output: with `--json` one JSON object per event line; on a terminal
/// a live display (a line per account being synced, with a progress bar, and the next checks);
/// otherwise one plain line per event.
enum SyncCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ["home", "interval", "concurrency", "shard", "deliver", "recipient"],
            flagOptions: ["once", "json"])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let interval = try arguments.integer("interval", in: 10...86400) ?? 600
        let concurrency = try arguments.integer("concurrency", in: 1...1024) ?? 4
        var shard: SyncShard?
        if let text = arguments.value("shard") {
            guard let parsed = SyncShard(parsing: text) else {
                throw CommandLineArguments.UsageError("--shard wants K/N with 0 <= K < N, such as 0/3")
            }
            shard = parsed
        }
        let json = arguments.flag("json")
        let (linker, store) = try await home.makeLinker(delivery: try delivery(arguments))
        if arguments.flag("once") {
            let status = try await once(linker, concurrency: concurrency, shard: shard, json: json)
            await store.close()
            return status
        }
        let printer = EventPrinter(mode: json ? .json : isatty(STDOUT_FILENO) == 1 ? .live : .plain)
        let events = await linker.syncEvents()
        let printing = Task { for await event in events { printer.show(event) } }
        let signals = SignalStream([SIGTERM, SIGINT, SIGUSR1])
        let policy = SyncPolicy(
            interval: .seconds(interval), fastestInterval: .seconds(min(120, interval)),
            maximumConcurrentSessions: concurrency)
        let scheduler = try await linker.startScheduler(policy: policy, shard: shard)
        let owned = await scheduler.schedulesByAccount.count
        printer.note("syncing \(owned) account\(owned == 1 ? "" : "s")\(shard.map { " (shard \($0))" } ?? ""); SIGTERM or Ctrl-C stops, SIGUSR1 checks now")
        for await signal in signals.stream {
            if signal == SIGUSR1 {
                printer.note("SIGUSR1: checking every account now")
                await scheduler.checkNow()
            } else {
                printer.note("stopping: passes end at their next batch boundary")
                break
            }
        }
        await scheduler.stop(within: .seconds(10))
        printing.cancel()
        printer.note("stopped")
        await store.close()
        return .success
    }

    /// `--deliver lmtp://HOST:PORT --recipient TEMPLATE` (`lmtps://` for implicit TLS), or the home's Maildir.
    static func delivery(_ arguments: CommandLineArguments) throws -> Delivery {
        guard let target = arguments.value("deliver") else {
            if arguments.value("recipient") != nil {
                throw CommandLineArguments.UsageError("--recipient goes with --deliver lmtp://HOST:PORT")
            }
            return .maildir
        }
        let security: Endpoint.Security
        let address: Substring
        if target.lowercased().hasPrefix("lmtp://") {
            (security, address) = (.insecurePlaintext, target.dropFirst(7))
        } else if target.lowercased().hasPrefix("lmtps://") {
            (security, address) = (.tls, target.dropFirst(8))
        } else {
            throw CommandLineArguments.UsageError(
                "--deliver wants lmtp://HOST:PORT or lmtps://HOST:PORT, not \(target)")
        }
        let hostAndPort = address.hasSuffix("/") ? address.dropLast() : address
        guard let endpoint = Endpoint(parsing: String(hostAndPort), security: security) else {
            throw CommandLineArguments.UsageError("--deliver: \(target) does not name HOST:PORT")
        }
        guard let text = arguments.value("recipient") else {
            throw CommandLineArguments.UsageError(
                "--deliver needs --recipient ADDRESS, such as 'judy+{folder}@example.test' "
                    + "({folder} becomes the folder)")
        }
        do {
            return .lmtp(endpoint, recipient: try LMTPRecipientTemplate(text))
        } catch let error as MailStoreError {
            throw CommandLineArguments.UsageError("--recipient: \(error.detail)")
        }
    }

    /// One pass of every account, `concurrency` at once; exit 1 when any failed.
    static func once(_ linker: AccountLinker, concurrency: Int, shard: SyncShard?, json: Bool) async throws -> ExitStatus {
        let results = try await linker.syncAll(concurrency: concurrency, shard: shard)
        if results.isEmpty && !json { print("no confirmed accounts to sync") }
        var status = ExitStatus.success
        for (account, result) in results.sorted(by: { $0.key < $1.key }) {
            let kind: SyncEvent.Kind
            switch result {
            case .success(let report): kind = .finished(report)
            case .failure(let error):
                kind = .failed(error.diagnosis)
                status = .failure
            }
            let event = SyncEvent(account: account, kind: kind, time: Date())
            if json {
                Output.json(EventPrinter.object(event))
            } else if case .failed(let diagnosis) = kind {
                printError("\(account):\n\(diagnosis.description)")
            } else {
                print(event.description)
            }
        }
        return status
    }
}

/// Signals delivered as an async sequence (the default action of each is turned off).
final class SignalStream {
    let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    deinit { for source in sources { source.cancel() } }
}

/// Shows sync events: JSON lines, plain lines, or a live display redrawn in place.
final class EventPrinter: @unchecked Sendable {
    enum Mode { case json, plain, live }

    let mode: Mode
    private let lock = Mutex(())
    private var inFlight: [AccountID: String] = [:]
    private var next: [AccountID: (Date, AccountSchedule.Reason)] = [:]
    private var lastLines: [String] = []
    private var drawn = 0

    init(mode: Mode) { self.mode = mode }

    func note(_ text: String) {
        lock.withLock { _ in
            switch mode {
            case .json: emit(Output.jsonText(["event": "note", "text": text, "time": Self.iso(Date())]))
            case .plain: emit(text)
            case .live:
                lastLines.append(text)
                if lastLines.count > 5 { lastLines.removeFirst() }
                redraw()
            }
        }
    }

    func show(_ event: SyncEvent) {
        lock.withLock { _ in
            switch mode {
            case .json: emit(Output.jsonText(Self.object(event)))
            case .plain:
                switch event.kind {
                case .progress: break
                case .failed(let diagnosis): printError("\(event.account):\n\(diagnosis.description)")
                default: emit(event.description)
                }
            case .live: live(event)
            }
        }
    }

    /// Writes a line unbuffered, so a reader of a pipe or file sees each event as it happens.
    private func emit(_ line: String?) {
        guard let line else { return }
        Output.write(line + "\n")
    }

    private func live(_ event: SyncEvent) {
        switch event.kind {
        case .started: inFlight[event.account] = "connecting"
        case .listed(let total, let new): inFlight[event.account] = "\(new) new of \(total)"
        case .progress(let fetched, let total, let bytes):
            inFlight[event.account] = Self.bar(fetched, total) + " \(fetched)/\(total) \(bytes / 1024) KB"
        case .finished, .failed, .needsAttention:
            inFlight[event.account] = nil
            lastLines.append(event.description)
            if lastLines.count > 5 { lastLines.removeFirst() }
        case .scheduled(let at, let reason): next[event.account] = (at, reason)
        }
        redraw()
    }

    private func redraw() {
        var lines: [String] = []
        for (account, text) in inFlight.sorted(by: { $0.key < $1.key }) { lines.append("  \(account)  \(text)") }
        let upcoming = next.filter { inFlight[$0.key] == nil }.sorted { $0.value.0 < $1.value.0 }
        for (account, (at, reason)) in upcoming.prefix(5) {
            lines.append("  \(account)  next check \(Self.clock(at)) (\(reason))")
        }
        if upcoming.count > 5 { lines.append("  … and \(upcoming.count - 5) more scheduled") }
        lines += lastLines
        var output = drawn > 0 ? "\u{1B}[\(drawn)A\u{1B}[J" : ""
        output += lines.map { $0 + "\n" }.joined()
        drawn = lines.count
        Output.write(output)
    }

    static func bar(_ done: Int, _ total: Int) -> String {
        let width = 20
        let filled = total > 0 ? min(width, done * width / total) : width
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// `HH:mm:ss` in local time.
    static func clock(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        return [parts.tm_hour, parts.tm_min, parts.tm_sec].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// One event as a JSON object: `account`, `event`, `time`, and the event's own fields.
    static func object(_ event: SyncEvent) -> [String: Any] {
        var object: [String: Any] = ["account": event.account.rawValue, "time": iso(event.time)]
        switch event.kind {
        case .started: object["event"] = "started"
        case .listed(let total, let new):
            object["event"] = "listed"
            object["total"] = total
            object["new"] = new
        case .progress(let fetched, let total, let bytes):
            object["event"] = "progress"
            object["fetched"] = fetched
            object["of"] = total
            object["bytes"] = bytes
        case .finished(let report):
            object["event"] = report.heldElsewhere ? "skipped" : "finished"
            object["fetched"] = report.fetched
            object["bytes"] = report.bytes
            object["deleted"] = report.deleted
            object["notices"] = report.notices
        case .failed(let diagnosis):
            object["event"] = "failed"
            object["error"] = Output.object(diagnosis)
        case .scheduled(let at, let reason):
            object["event"] = "scheduled"
            object["next"] = iso(at)
            object["reason"] = reason.rawValue
        case .needsAttention(let diagnosis):
            object["event"] = "needs-attention"
            object["error"] = Output.object(diagnosis)
        }
        return object
    }
}
