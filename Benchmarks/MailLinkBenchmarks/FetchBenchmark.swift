// `linkmail fetch` against the bench's Dovecot, beside mpop, fetchmail, getmail6 and Python's poplib.
// Usage: MailLinkBenchmarks fetch [--runs N] [--latency-runs N] [--time-limit SECONDS]
//        [--clients linkmail,mpop,fetchmail,getmail6,poplib] [--sets small,large,latency]
//        [--delay-ms MS] [--rerun-limit SECONDS] [--linkmail PATH] [--work DIR] [--keep-mailbox] [--settle SECONDS]
// Build first: swift build -c release --product MailLinkBenchmarks --product linkmail

import Foundation
import MailTesting
import TestbedSupport

/// The POP3 fetch benchmark: the same mailbox fetched over TLS from the bench's Dovecot into a
/// Maildir by `linkmail fetch` and by the established POP3 clients, in the same run.
///
/// Sets: 2,000 messages of about 10 KB; 50 messages of about 2 MB; and 500 of the small messages
/// through a userspace relay (`scripts/bench/latency-relay.py`) that adds 25 ms in each direction,
/// where pipelining (RFC 2449 PIPELINING) decides the result. The mailbox is the bench user
/// `carol`'s (nobody else uses her), filled directly in her Maildir with CRLF messages, each with a
/// unique Message-ID.
///
/// Rules for a fair comparison (also printed by the benchmark):
/// - every client fetches the same messages over implicit TLS (POP3S, RFC 8314) from the same
///   Dovecot, with the bench CA trusted and the server certificate verified, into a fresh Maildir;
/// - copies stay on the server (no DELE), so the next client fetches the same mailbox, and every
///   run starts from empty client state (no UIDL memory);
/// - one unmeasured fetch warms Dovecot's index before each set, so no client pays for it; the
///   runs' Maildirs are deleted only at the end, as mass deletion slows later file creation on ext4;
/// - mpop: `delivery maildir`, `tls_trust_file`, `keep on`, its pipelining on (`auto`, default);
/// - fetchmail: `keep fetchall ssl sslcertfile sslcertck`, delivered with `mda` into the Maildir by
///   `safecat` (Debian package; fetchmail has no Maildir delivery of its own): the cheapest correct
///   MDA (tmp/, fsync, link into new/), but one process per message. fetchmail's host check ignores
///   IP addresses in the certificate, so it polls `localhost via 127.0.0.1` with
///   `sslcommonname localhost` (the certificate's name; verification stays on);
/// - getmail6: `SimplePOP3SSLRetriever` with `ca_certs`, `read_all = true`, `delete = false`,
///   `[destination] type = Maildir` (getmail refuses to deliver as root, so `user = nobody`; it
///   forks one delivery process per message by design). getmail6 6.18 can hang: it installs its
///   SIGCHLD handler only after `fork()` (`getmailcore/baseclasses.py`, `forkchild` then
///   `_prepare_child`), so a delivery process that exits first leaves it waiting out its 180 s
///   socket timeout beside a zombie child (seen here: stuck at message 407 of 500). A getmail6
///   TIMEOUT is that hang, not its speed, and its ratio only a lower bound;
/// - Python poplib: `scripts/bench/poplib-fetch.py`, `POP3_SSL` with the CA, UIDL, RETR each
///   message, write in tmp/, fsync, rename into new/;
/// - linkmail: `linkmail fetch --security tls --ca … --maildir … --state FRESH` (copies kept is its
///   default), durable delivery as DESIGN.md requires (tmp/, fsync, rename, directory fsync, the
///   UIDL record written atomically);
/// - each figure is the median of N runs (`--runs`, `--latency-runs`, 3 by default; wall time of
///   the whole process, start-up included; runs of different clients interleaved so the shared
///   machine's noise is spread over all of them; a client whose run takes over 20 s runs once,
///   as the noise matters little to it), peak
///   memory is the largest `ru_maxrss` over the runs (`/usr/bin/time -f %M`, the process and its
///   children), and every run's Maildir must hold exactly the expected Message-IDs, once each, or
///   the run counts as failed. Every run is capped by a time limit; a timeout is reported as such.
///
/// Output: one line per figure on standard output (messages/s, MB/s with MB = 10^6 bytes of the
/// messages as stored on the server, peak MiB) and the ratios MailLink / peer; progress on
/// standard error. It never asserts a time.
enum FetchBenchmark {
    /// The rules above, printed with the figures so that they travel with them.
    static let rules = [
        "same messages, same Dovecot, implicit TLS (POP3S) with the bench CA verified, fresh Maildir per run",
        "copies kept on the server, no client UIDL memory at the start of a run; Dovecot index warmed first",
        "mpop: delivery maildir, keep on, pipelining auto (on: Dovecot offers PIPELINING)",
        "fetchmail: keep fetchall ssl sslcertck, mda = safecat DIR/tmp DIR/new (one process per message)",
        "getmail6: SimplePOP3SSLRetriever ca_certs, read_all, delete = false, Maildir destination (user nobody)",
        "getmail6: a TIMEOUT is its lost-SIGCHLD hang (handler installed after fork), not its speed",
        "poplib: POP3_SSL + UIDL + RETR each, tmp/ + fsync + rename into new/ (scripts/bench/poplib-fetch.py)",
        "linkmail: fetch --security tls --ca, fresh --state, durable Maildir delivery",
        "time = wall time of the whole process, median of N interleaved runs (one run if over 20 s); peak = max ru_maxrss over runs",
        "every program starts with signals unblocked and default, as from a shell (env --default-signal)",
        "each run verified: the Maildir holds exactly the expected Message-IDs, once each",
        "after each fill: sync and a pause (--settle, default 60 s), so files just deleted do not slow file creation",
        Measure.defaultEnvironmentRule,
    ]

    /// The clients compared, ours first.
    enum Client: String, CaseIterable, Sendable {
        case linkmail, mpop, fetchmail, getmail6, poplib

        /// Whether the client pipelines POP3 commands when the server offers PIPELINING.
        var pipelines: Bool { self == .linkmail || self == .mpop }
    }

    /// One mailbox content to fetch.
    struct MessageSet: Sendable {
        /// Short name used in figure lines and for `--sets`.
        var name: String
        /// Number of messages.
        var count: Int
        /// Approximate size of each message, in bytes.
        var size: Int
        /// How the set appears in figure lines.
        var label: String { "\(count) x \(size >= 1 << 20 ? "\(size >> 20) MB" : "\(size >> 10) KB")" }
    }

    static let small = MessageSet(name: "small", count: 2000, size: 10 << 10)
    static let large = MessageSet(name: "large", count: 50, size: 2 << 20)
    static let latency = MessageSet(name: "latency", count: 500, size: 10 << 10)

    /// What the command line asked for.
    struct Settings: Sendable {
        var runs = 3
        var latencyRuns = 3
        var timeLimit = 180
        var delayMilliseconds = 25
        var clients = Client.allCases
        var sets = ["small", "large", "latency"]
        var linkmail: String?
        var work = "/tmp/maillink-fetchbench"
        /// A client whose run takes longer than this is not run again: the best of several runs
        /// matters for the fast clients, whose figures the machine's noise moves the most.
        var rerunLimit = 20
        /// Leave the last set in carol's Maildir, to profile a client by hand afterwards.
        var keepMailbox = false
        /// Seconds to wait after filling the mailbox (``FetchBenchmark/settle(seconds:)``).
        var settle = 60

        init(_ arguments: [String]) throws {
            var index = 0
            func value() throws -> String {
                index += 1
                guard index < arguments.count else { throw Failure("\(arguments[index - 1]) needs a value") }
                return arguments[index]
            }
            func number() throws -> Int {
                let text = try value()
                guard let number = Int(text), number > 0 else { throw Failure("not a positive number: \(text)") }
                return number
            }
            while index < arguments.count {
                switch arguments[index] {
                case "--runs": runs = try number()
                case "--latency-runs": latencyRuns = try number()
                case "--time-limit": timeLimit = try number()
                case "--delay-ms": delayMilliseconds = try number()
                case "--linkmail": linkmail = try value()
                case "--work": work = try value()
                case "--rerun-limit": rerunLimit = try number()
                case "--keep-mailbox": keepMailbox = true
                case "--settle":
                    guard let seconds = Int(try value()), seconds >= 0 else { throw Failure("--settle needs seconds") }
                    settle = seconds
                case "--sets": sets = try value().split(separator: ",").map(String.init)
                case "--clients":
                    clients = try value().split(separator: ",").map {
                        guard let client = Client(rawValue: String($0)) else { throw Failure("unknown client \($0)") }
                        return client
                    }
                default: throw Failure("unknown argument \(arguments[index])")
                }
                index += 1
            }
        }
    }

    /// The runs and the peak memory of one client on one set, or why it has no figure.
    struct Outcome: Sendable {
        var seconds: [Double] = []
        var bestSeconds: Double { seconds.min() ?? .infinity }
        var median: Double { Measure.median(seconds) }
        var peakKiB: Int?
        var failure: String?
        /// Set when the failure is the time limit: the client needs longer than this.
        var timedOutAfter: Double?
        /// Runs measured.
        var runs: Int { seconds.count }
        var measured: Bool { failure == nil && !seconds.isEmpty }
    }

    /// `fetch [options]`: see the file header.
    static func run(arguments: [String]) async throws {
        let settings = try Settings(arguments)
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser("carol")
        let runner = try Runner(settings: settings, bench: bench, user: user)
        Measure.line("# fetch benchmark: Dovecot POP3S on \(bench.host):\(bench.pop3sPort), user \(user.address)")
        for rule in rules { Measure.line("# rule: \(rule)") }
        let clients = runner.availableClients()
        defer {
            runner.removeRuns()
            if !settings.keepMailbox { try? bench.removeAllMessages(of: user) }
        }

        var results: [String: [Client: Outcome]] = [:]
        for set in [small, large] where settings.sets.contains(set.name) {
            results[set.name] = try runner.measure(set, clients: clients, runs: settings.runs, throughRelay: false)
            report(set, results[set.name] ?? [:], clients: clients, bytes: runner.setBytes)
            reportFloors(set, try runner.measureFloors(set, runs: settings.runs), linkmail: results[set.name]?[.linkmail])
        }
        if settings.sets.contains(latency.name) {
            let outcomes = try runner.measure(latency, clients: clients, runs: settings.latencyRuns, throughRelay: true)
            report(
                latency, outcomes, clients: clients, bytes: runner.setBytes,
                note: "+\(settings.delayMilliseconds) ms each way")
            reportLatencyGoal(outcomes, clients: clients)
        }
        Measure.progress("fetch benchmark done; each run's output and peak memory under \(settings.work)/logs")
    }

    /// Figure lines for one set: throughput and peak memory per client, then ratios MailLink / peer.
    static func report(
        _ set: MessageSet, _ outcomes: [Client: Outcome], clients: [Client], bytes: Int, note: String = ""
    ) {
        let title = "fetch \(set.name) (\(set.label)\(note.isEmpty ? "" : ", " + note))"
        for client in clients {
            guard let outcome = outcomes[client] else { continue }
            guard outcome.measured else {
                Measure.line("\(title), \(client): \(outcome.failure ?? "no figure")")
                continue
            }
            let pipelining = client.pipelines ? "pipelining" : "no pipelining"
            Measure.figure(
                "\(title), \(client)", Double(set.count) / outcome.median, "messages/s",
                note: String(format: "median %.2f s of %d (best %.2f s), %@", outcome.median, outcome.runs, outcome.bestSeconds, pipelining))
            Measure.figure("\(title), \(client)", Double(bytes) / 1e6 / outcome.median, "MB/s")
            Measure.figure("\(title), \(client) peak memory", outcome.peakKiB.map { Double($0) / 1024 } ?? .nan, "MiB")
        }
        guard let ours = outcomes[.linkmail], ours.measured else { return }
        var slower: [String] = []
        for client in clients where client != .linkmail {
            if let limit = outcomes[client]?.timedOutAfter {
                Measure.line(
                    String(
                        format: "%@, speed ratio linkmail/%@: > %.2f x  (%@ timed out)", title, client.rawValue,
                        limit / ours.median, client.rawValue))
                continue
            }
            guard let peer = outcomes[client], peer.measured else { continue }
            let speed = peer.median / ours.median
            if speed < 1 { slower.append(client.rawValue) }
            Measure.ratio("\(title), speed ratio linkmail/\(client)", speed, note: "above 1: linkmail faster")
            if let ourPeak = ours.peakKiB, let peerPeak = peer.peakKiB {
                Measure.ratio(
                    "\(title), peak memory ratio linkmail/\(client)", Double(ourPeak) / Double(peerPeak),
                    note: "below 1: linkmail smaller")
            }
        }
        Measure.line(
            "\(title), goal faster than every peer: \(slower.isEmpty ? "met" : "not met (slower than \(slower.joined(separator: ", ")))")"
        )
    }

    /// The two floors of a set (median of N each) and linkmail's median against the larger one.
    static func reportFloors(_ set: MessageSet, _ floors: Floors, linkmail: Outcome?) {
        let title = "fetch \(set.name) (\(set.label))"
        if let network = floors.network {
            Measure.figure(
                "\(title), network floor", network, "s",
                note: "every RETR written at once over the same TLS, bytes dropped (scripts/bench/pop3-floors.py)")
        }
        if let store = floors.store {
            Measure.figure(
                "\(title), store floor", store, "s",
                note: "the same files created with linkmail's durability (fsync each, rename, new/ fsync per batch), no network")
        }
        guard let ours = linkmail, ours.measured, let floor = [floors.network, floors.store].compactMap({ $0 }).max() else {
            return
        }
        Measure.ratio(
            "\(title), linkmail time / larger floor", ours.median / floor,
            note: String(format: "%.2f s against %.2f s; 1 would be the floor itself, start-up included", ours.median, floor))
    }

    /// The latency goal: several times faster than the non-pipelining peers, no slower than mpop.
    static func reportLatencyGoal(_ outcomes: [Client: Outcome], clients: [Client]) {
        guard let ours = outcomes[.linkmail], ours.measured else { return }
        for client in clients where client != .linkmail {
            let wanted = client.pipelines ? "no slower than" : "several (>= 3) times faster than"
            if let limit = outcomes[client]?.timedOutAfter, limit / ours.median >= 3 {
                Measure.line(
                    String(
                        format: "fetch latency, goal %@ %@: met (> %.2f x, it timed out)", wanted, client.rawValue,
                        limit / ours.median))
                continue
            }
            guard let peer = outcomes[client], peer.measured else { continue }
            let speed = peer.median / ours.median
            let goal = client.pipelines ? speed >= 1 : speed >= 3
            Measure.line(
                "fetch latency, goal \(wanted) \(client): \(goal ? "met" : "not met") (\(String(format: "%.2f", speed)) x)"
            )
        }
    }
}

extension FetchBenchmark {
    /// The network and store floors of a set, in seconds (nil: not measured).
    struct Floors: Sendable {
        var network: Double?
        var store: Double?
    }
}

extension FetchBenchmark {
    /// Why the fetch benchmark could not go on (bad arguments, a missing tool, an unusable bench).
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension FetchBenchmark {
    /// Does the work: fills carol's Maildir, writes each client's configuration, runs it and
    /// checks what it delivered. Used by one task, one program at a time.
    final class Runner {
        let settings: Settings
        let bench: TestbedEnvironment
        let user: TestbedUser
        let linkmail: String
        let scripts: String
        let passwordFile: String
        let logs: String
        /// Bytes of the current set's messages as stored on the server (CRLF lines).
        private(set) var setBytes = 0
        /// The current set's Message-IDs, which every run's Maildir must hold exactly.
        private var expected: Set<String> = []
        private var relay: Process?

        init(settings: Settings, bench: TestbedEnvironment, user: TestbedUser) throws {
            self.settings = settings
            self.bench = bench
            self.user = user
            let manager = FileManager.default
            linkmail = try FetchBenchmark.tools(linkmail: settings.linkmail)
            // scripts/bench beside this source file's package; else relative to the current directory.
            let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().path
            scripts =
                manager.fileExists(atPath: packageRoot + "/scripts/bench")
                ? packageRoot + "/scripts/bench" : "scripts/bench"
            (logs, passwordFile) = try FetchBenchmark.prepare(work: settings.work, password: user.password)
        }

        /// The requested clients that are installed; the others are named as skipped.
        func availableClients() -> [Client] {
            settings.clients.filter { client in
                let missing: String?
                switch client {
                case .linkmail: missing = nil
                case .mpop: missing = Measure.available("mpop") ? nil : "mpop (scripts/testbed install --peers)"
                case .fetchmail:
                    missing =
                        !Measure.available("fetchmail")
                        ? "fetchmail (scripts/testbed install --peers)"
                        : !Measure.available("safecat") ? "safecat, its MDA (apt-get install safecat)" : nil
                case .getmail6:
                    missing = Measure.available("getmail") ? nil : "getmail (scripts/testbed install --peers)"
                case .poplib:
                    missing =
                        FileManager.default.fileExists(atPath: scripts + "/poplib-fetch.py")
                            && Measure.available("python3")
                        ? nil : "python3 or \(scripts)/poplib-fetch.py"
                }
                if let missing { Measure.line("# skipped \(client): \(missing) not installed") }
                return missing == nil
            }
        }

        /// Fills the mailbox with `set`, warms Dovecot up, then runs every client `runs` times
        /// (interleaved) directly or through the latency relay.
        func measure(_ set: MessageSet, clients: [Client], runs: Int, throughRelay: Bool) throws -> [Client: Outcome] {
            Measure.progress("[\(set.name)] filling \(user.address)'s Maildir with \(set.label) messages")
            try fill(set)
            Measure.progress("[\(set.name)] \(setBytes) bytes; warming Dovecot up with one unmeasured linkmail fetch")
            let warmUp = try fetchOnce(.linkmail, port: bench.pop3sPort, label: "\(set.name)-warmup")
            if let problem = warmUp.problem { Measure.progress("[\(set.name)] warm-up: \(problem)") }

            var port = bench.pop3sPort
            if throughRelay {
                port = try startRelay()
                Measure.progress(
                    "[\(set.name)] latency relay on \(bench.host):\(port), +\(settings.delayMilliseconds) ms each way")
            }
            defer { stopRelay() }
            var outcomes: [Client: Outcome] = [:]
            for run in 1...runs {
                for client in clients where outcomes[client]?.failure == nil {
                    if run > 1, let outcome = outcomes[client], outcome.bestSeconds > Double(settings.rerunLimit) {
                        continue  // one run of a slow client is enough (see Settings.rerunLimit)
                    }
                    let (result, problem) = try fetchOnce(client, port: port, label: "\(set.name)-\(client)-\(run)")
                    var outcome = outcomes[client] ?? Outcome()
                    if let problem {
                        outcome.failure = problem
                        if result.timedOut { outcome.timedOutAfter = result.seconds }
                        Measure.progress("[\(set.name)] run \(run)/\(runs) \(client): \(problem)")
                    } else {
                        outcome.seconds.append(result.seconds)
                        outcome.peakKiB = max(outcome.peakKiB ?? 0, result.peakKiB ?? 0)
                        Measure.progress(
                            String(
                                format: "[%@] run %d/%d %@: %.2f s, peak %.1f MiB, %d messages verified",
                                set.name, run, runs, client.rawValue, result.seconds, result.peakMiB, expected.count))
                    }
                    outcomes[client] = outcome
                }
            }
            return outcomes
        }

        /// The network and store floors of the set now in the mailbox, median of `runs` each.
        func measureFloors(_ set: MessageSet, runs: Int) throws -> Floors {
            var floors = Floors()
            var (networks, stores): ([Double], [Double]) = ([], [])
            let script = scripts + "/pop3-floors.py"
            guard FileManager.default.fileExists(atPath: script), Measure.available("python3") else {
                Measure.line("# skipped the floors: python3 or \(script) not installed")
                return floors
            }
            for run in 1...runs {
                let network = try floorSeconds(
                    [
                        "python3", script, "network", "--host", bench.host, "--port", "\(bench.pop3sPort)", "--ca",
                        bench.caFile, "--user", user.address, "--password-file", passwordFile, "--count", "\(set.count)",
                    ], label: "\(set.name)-floor-network-\(run)")
                let maildir = settings.work + "/runs/\(set.name)-floor-store-\(run)"
                try? FileManager.default.removeItem(atPath: maildir)
                let store = try floorSeconds(
                    ["python3", script, "store", "--source", user.maildir, "--maildir", maildir],
                    label: "\(set.name)-floor-store-\(run)")
                if let network { networks.append(network) }
                if let store { stores.append(store) }
                floors.network = networks.isEmpty ? nil : Measure.median(networks)
                floors.store = stores.isEmpty ? nil : Measure.median(stores)
                Measure.progress(
                    "[\(set.name)] floors run \(run)/\(runs): network \(network.map { String(format: "%.3f s", $0) } ?? "failed"), store \(store.map { String(format: "%.3f s", $0) } ?? "failed")")
            }
            return floors
        }

        /// The seconds a floor script measured itself (`seconds S …` on its standard output).
        private func floorSeconds(_ arguments: [String], label: String) throws -> Double? {
            let run = try Measure.runMeasured(arguments, label: label, logDirectory: logs, timeLimit: settings.timeLimit)
            guard run.status == 0, let output = try? String(contentsOfFile: logs + "/\(label).out", encoding: .utf8) else {
                Measure.progress("[\(label)] failed: \(run.errorTail)")
                return nil
            }
            let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard let index = words.firstIndex(of: "seconds"), index + 1 < words.count else { return nil }
            return Double(words[index + 1])
        }

        // MARK: - The mailbox

        /// Empties carol's Maildir and drops the set's messages into it.
        private func fill(_ set: MessageSet) throws {
            (expected, setBytes) = try FetchBenchmark.fill(
                user, of: bench, with: set, label: set.name, settle: settings.settle)
        }

        /// Checks that `maildir` holds exactly the expected Message-IDs, each once; nil when it does.
        private func verify(_ maildir: String) -> String? { FetchBenchmark.verify(maildir, expected: expected) }

        // MARK: - Running a client

        /// One fetch by `client` into a fresh Maildir with fresh state; the Maildir is removed after
        /// it has been checked.
        private func fetchOnce(
            _ client: Client, port: Int, label: String
        ) throws -> (run: Measure.ProcessRun, problem: String?) {
            let maildir = settings.work + "/runs/" + label
            let state = settings.work + "/state/" + label
            try? FileManager.default.removeItem(atPath: maildir)
            try? FileManager.default.removeItem(atPath: state)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let (arguments, environment) = try command(client, port: port, maildir: maildir, state: state)
            let run = try Measure.runMeasured(
                arguments, label: label, logDirectory: logs, timeLimit: settings.timeLimit,
                environment: environment)
            let problem: String?
            if run.timedOut {
                problem = String(format: "TIMEOUT (stopped after %.0f s, limit %d s)", run.seconds, settings.timeLimit)
            } else if run.status != 0 {
                problem = String(format: "FAILED (exit %d after %.1f s: %@)", run.status, run.seconds, run.errorTail)
            } else {
                problem = verify(maildir)
            }
            // The Maildir stays until the end of the benchmark: deleting thousands of files now
            // would slow every file creation of the next runs (ext4 skips recently freed inodes,
            // `recently_deleted` in the kernel profile), whichever client comes next.
            return (run, problem)
        }

        /// The command line (and environment, when it differs) that makes `client` fetch the
        /// mailbox from `port` into `maildir`, its configuration and state written under `state`.
        private func command(
            _ client: Client, port: Int, maildir: String, state: String
        ) throws -> ([String], [String: String]?) {
            let host = bench.host
            switch client {
            case .linkmail:
                return (
                    [
                        linkmail, "fetch", "--server", "\(host):\(port)", "--security", "tls", "--ca", bench.caFile,
                        "--user", user.address, "--password-file", passwordFile, "--maildir", maildir,
                        "--state", state + "/linkmail-state.json",
                    ], nil
                )
            case .mpop:
                try makeMaildir(maildir)
                let configuration = """
                    account bench
                    host \(host)
                    port \(port)
                    tls on
                    tls_starttls off
                    tls_trust_file \(bench.caFile)
                    user \(user.address)
                    password \(user.password)
                    keep on
                    pipelining auto
                    delivery maildir \(maildir)
                    uidls_file \(state)/mpop-uidls

                    """
                try Measure.writePrivateFile(state + "/mpoprc", configuration)
                return (["mpop", "--quiet", "-C", state + "/mpoprc", "--all-accounts"], nil)
            case .fetchmail:
                try makeMaildir(maildir)
                let configuration = """
                    set no syslog
                    poll localhost via \(host) service \(port) protocol pop3 auth password timeout 60
                      user "\(user.address)" password "\(user.password)" is "\(NSUserName())" here
                      keep fetchall ssl sslcertfile "\(bench.caFile)" sslcertck sslcommonname "localhost" sslproto 'TLS1.2+'
                      mda "/usr/bin/safecat \(maildir)/tmp \(maildir)/new"

                    """
                try Measure.writePrivateFile(state + "/fetchmailrc", configuration)
                var environment = ProcessInfo.processInfo.environment
                environment["FETCHMAILHOME"] = state  // its lock and UID files stay in this run's state
                return (
                    ["fetchmail", "-f", state + "/fetchmailrc", "-i", state + "/fetchids", "--silent"], environment
                )
            case .getmail6:
                try makeMaildir(maildir, owner: "nobody")
                let configuration = """
                    [retriever]
                    type = SimplePOP3SSLRetriever
                    server = \(host)
                    port = \(port)
                    username = \(user.address)
                    password = \(user.password)
                    ca_certs = \(bench.caFile)

                    [destination]
                    type = Maildir
                    path = \(maildir)/
                    user = nobody

                    [options]
                    read_all = true
                    delete = false
                    verbose = 0

                    """
                try Measure.writePrivateFile(state + "/getmailrc", configuration)
                return (["getmail", "--quiet", "--getmaildir=\(state)", "--rcfile=\(state)/getmailrc"], nil)
            case .poplib:
                return (
                    [
                        "python3", scripts + "/poplib-fetch.py", "--host", host, "--port", "\(port)", "--ca",
                        bench.caFile,
                        "--user", user.address, "--password-file", passwordFile, "--maildir", maildir,
                    ], nil
                )
            }
        }

        /// Creates `path` with `tmp/`, `new/` and `cur/`, owned by `owner` when given (getmail
        /// delivers as an unprivileged user).
        private func makeMaildir(_ path: String, owner: String? = nil) throws {
            for folder in ["", "/tmp", "/new", "/cur"] {
                try FileManager.default.createDirectory(atPath: path + folder, withIntermediateDirectories: true)
                if let owner {
                    guard let entry = getpwnam(owner),
                        chown(path + folder, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0
                    else {
                        throw Failure("cannot give \(path + folder) to \(owner)")
                    }
                }
            }
        }

        // MARK: - The latency relay

        /// Starts `scripts/bench/latency-relay.py` towards Dovecot's POP3S port; returns its port.
        private func startRelay() throws -> Int {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                Measure.cleanSignals + [
                    "python3", scripts + "/latency-relay.py", "--target-host", bench.host,
                    "--target-port", "\(bench.pop3sPort)", "--listen-host", bench.host,
                    "--delay-ms", "\(settings.delayMilliseconds)",
                ]
            let output = Pipe()
            process.standardOutput = output
            _ = FileManager.default.createFile(atPath: logs + "/latency-relay.err", contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logs + "/latency-relay.err")
            try process.run()
            relay = process
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { throw Failure("the latency relay did not start; see \(logs)/latency-relay.err") }
                line.append(chunk)
            }
            // "listening HOST PORT"
            guard
                let port = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace).last.flatMap({
                    Int($0)
                })
            else { throw Failure("the latency relay said: \(String(decoding: line, as: UTF8.self))") }
            return port
        }

        /// Removes every run's Maildir and state (kept until now, see `fetchOnce`).
        func removeRuns() {
            Measure.progress("removing the runs' Maildirs under \(settings.work)/runs")
            for folder in ["runs", "state"] {
                try? FileManager.default.removeItem(atPath: settings.work + "/" + folder)
            }
        }

        /// Stops the relay: SIGTERM, then SIGKILL if it is still there 3 s later.
        private func stopRelay() {
            guard let relay else { return }
            relay.terminate()
            let deadline = Date().addingTimeInterval(3)
            while relay.isRunning, Date() < deadline { usleep(20_000) }
            if relay.isRunning { kill(relay.processIdentifier, SIGKILL) }
            relay.waitUntilExit()
            self.relay = nil
        }
    }

    /// The `linkmail` to measure (`--linkmail PATH`, else beside the benchmark), once GNU `time`
    /// (for the peak memory) and it are found.
    static func tools(linkmail path: String?) throws -> String {
        let manager = FileManager.default
        guard manager.isExecutableFile(atPath: Measure.timeProgram) else {
            throw Failure("\(Measure.timeProgram) is missing (apt-get install time): it gives the peak memory")
        }
        let executableDirectory = Bundle.main.executableURL?.deletingLastPathComponent().path ?? "."
        let linkmail = path ?? executableDirectory + "/linkmail"
        guard manager.isExecutableFile(atPath: linkmail) else {
            throw Failure("no linkmail at \(linkmail): swift build -c release --product linkmail (or --linkmail PATH)")
        }
        return linkmail
    }

    /// Empty `runs/`, `state/` and `logs/` folders under `work`, and the password in a private
    /// file; returns the logs folder and that file.
    static func prepare(work: String, password: String) throws -> (logs: String, passwordFile: String) {
        for folder in ["runs", "state", "logs"] {
            try? FileManager.default.removeItem(atPath: work + "/" + folder)
            try FileManager.default.createDirectory(atPath: work + "/" + folder, withIntermediateDirectories: true)
        }
        try Measure.writePrivateFile(work + "/state/password", password)
        return (work + "/logs", work + "/state/password")
    }

    /// Empties `user`'s Maildir and drops `set`'s messages into it (`<fetchbench.LABEL.N@…>`);
    /// returns their Message-IDs and total size.
    static func fill(
        _ user: TestbedUser, of bench: TestbedEnvironment, with set: MessageSet, label: String, settle: Int
    ) throws -> (Set<String>, Int) {
        try bench.removeAllMessages(of: user)
        var generator = SplitMix64(seed: UInt64(set.count) &* 1_000_003 &+ UInt64(set.size))
        var expected: Set<String> = []
        var bytes = 0
        for number in 1...set.count {
            let identifier = "fetchbench.\(label).\(number)@example.test"
            let message = makeMessage(identifier: identifier, number: number, size: set.size, generator: &generator)
            try bench.deliver(Data(message), to: user)
            expected.insert(identifier)
            bytes += message.count
        }
        FetchBenchmark.settle(seconds: settle)
        return (expected, bytes)
    }

    /// Waits `seconds` after writing back what is dirty (`sync`), so the files this benchmark just
    /// deleted (the last runs' Maildirs, the mailbox it refilled) no longer slow the files the
    /// clients create. On ext4 without a journal (this bench machine's disk), a new inode skips
    /// every inode deleted in the last 60 seconds, 360 while its inode-table block is not written
    /// back (Linux fs/ext4/ialloc.c, `recently_deleted`), and each one skipped costs a look-up: the
    /// store floor of 2,000 small files measured 1.19 s right after such deletions and 0.44 s a
    /// minute later, and the first runs of every client slowed alike. 0 skips the wait.
    static func settle(seconds: Int) {
        guard seconds > 0 else { return }
        Measure.progress("letting the file system forget the files just deleted: sync, then \(seconds) s (--settle 0 skips)")
        sync()
        sleep(UInt32(seconds))
    }

    /// Checks that `maildir` holds exactly the `expected` Message-IDs (`<fetchbench.…>`), each
    /// once; nil when it does.
    static func verify(_ maildir: String, expected: Set<String>) -> String? {
        let marker = Data("<fetchbench.".utf8)
        var seen: Set<String> = []
        var files = 0
        var duplicates = 0
        for folder in ["new", "cur"] {
            let path = maildir + "/" + folder
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                files += 1
                guard let handle = FileHandle(forReadingAtPath: path + "/" + name) else { continue }
                let head = handle.readData(ofLength: 16 << 10)
                try? handle.close()
                guard let start = head.range(of: marker),
                    let end = head[start.upperBound...].firstIndex(of: UInt8(ascii: ">"))
                else { continue }
                let identifier = String(decoding: head[(start.lowerBound + 1)..<end], as: UTF8.self)
                if !seen.insert(identifier).inserted { duplicates += 1 }
            }
        }
        if files != expected.count {
            return "FAILED verification: \(files) messages in the Maildir, expected \(expected.count)"
        }
        if duplicates > 0 || seen != expected {
            return
                "FAILED verification: \(duplicates) duplicates, \(expected.subtracting(seen).count) Message-IDs missing"
        }
        return nil
    }

    /// A CRLF message of about `size` bytes with the Message-ID `<identifier>`: plain text lines
    /// (some starting with a dot, so dot-stuffing is exercised) for small sizes; a short text
    /// part and a base64 attachment for sizes of 1 MiB and more.
    static func makeMessage(identifier: String, number: Int, size: Int, generator: inout SplitMix64) -> [UInt8] {
        var text = """
            From: Bench Sender <sender@example.org>\r
            To: Carol <carol@example.test>\r
            Subject: fetch benchmark message \(number)\r
            Date: Thu, 26 Nov 2026 12:00:00 +0000\r
            Message-ID: <\(identifier)>\r
            MIME-Version: 1.0\r

            """
        let words = [
            "the", "message", "from", "server", "mail", "account", "linked", "POP3", "folder", "and", "is", "a",
        ]
        func textLines(upTo target: Int) -> String {
            var body = ""
            var line = ""
            var lineNumber = 0
            while body.utf8.count < target {
                lineNumber += 1
                line = lineNumber % 40 == 0 ? "." : ""
                let width = 20 + Int(generator.next() % 57)
                while line.utf8.count < width { line += words[Int(generator.next() % UInt64(words.count))] + " " }
                body += line + "\r\n"
            }
            return body
        }
        if size < 1 << 20 {
            text += "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            text += textLines(upTo: size - text.utf8.count)
            return Array(text.utf8)
        }
        let boundary = "fetchbench-\(number)-boundary"
        text += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n\r\n"
        text += "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + textLines(upTo: 2000)
        text += "--\(boundary)\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        text += "Content-Disposition: attachment; filename=\"data-\(number).bin\"\r\n\r\n"
        var raw = [UInt8]()
        let rawCount = (size - text.utf8.count - 200) / 78 * 57  // 76 base64 characters + CRLF per 57 bytes
        raw.reserveCapacity(rawCount + 8)
        while raw.count < rawCount {
            withUnsafeBytes(of: generator.next()) { raw += $0 }
        }
        raw.removeLast(raw.count - rawCount)
        let encoded = Data(raw).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        text += encoded + "\r\n--\(boundary)--\r\n"
        return Array(text.utf8)
    }
}
