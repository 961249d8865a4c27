// `linkmail fetch --protocol imap` against the bench's Dovecot, beside mbsync and offlineimap; and
// push latency with IDLE (a message submitted to Postfix until it is in the store).
// Usage: MailLinkBenchmarks imap-fetch [--runs N] [--time-limit SECONDS] [--clients linkmail,mbsync,offlineimap]
//        [--sets small,large] [--linkmail PATH] [--work DIR] [--settle SECONDS]
//        MailLinkBenchmarks imap-push [--messages N] [--work DIR]
// Build first: swift build -c release --product MailLinkBenchmarks --product linkmail

import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport

/// The IMAP fetch benchmark: INBOX fetched over implicit TLS (IMAPS, RFC 8314) from the bench's
/// Dovecot into a Maildir by `linkmail fetch --protocol imap`, by mbsync (Debian's `isync`) and by
/// offlineimap, in the same run, with the sets of the POP3 benchmark (``FetchBenchmark``): 2,000
/// messages of about 10 KB and 50 of about 2 MB. The mailbox is the bench user `kate`'s, filled
/// directly in her Maildir.
///
/// Rules for a fair comparison (also printed by the benchmark):
/// - the same messages, the same Dovecot, IMAPS with the bench CA trusted and the certificate
///   verified, INBOX only, into a fresh Maildir with fresh client state per run;
/// - nothing changes on the server: linkmail fetches with `BODY.PEEK[]`, mbsync `Sync Pull` with
///   `Expunge None`, offlineimap `readonly = True`;
/// - mbsync: `SSLType IMAPS`, `CertificateFile`, `Sync Pull`, `Create Near`, its default `FSync yes`;
/// - offlineimap: `ssl = yes` with `sslcacertfile`, `folderfilter` INBOX, `readonly`, one-shot
///   (`-o -u quiet`), its default `fsync`;
/// - linkmail: `fetch --protocol imap --security tls --ca`, durable delivery as DESIGN.md requires;
/// - one unmeasured linkmail fetch warms Dovecot first; each figure is the median of N interleaved
///   runs (wall time of the whole process); peak memory is the largest `ru_maxrss` over the runs;
///   every run's Maildir must hold exactly the expected Message-IDs, once each.
enum IMAPFetchBenchmark {
    static let rules = [
        "same messages, same Dovecot, IMAPS with the bench CA verified, INBOX only, fresh Maildir and state per run",
        "nothing changes on the server: linkmail BODY.PEEK[], mbsync Sync Pull + Expunge None, offlineimap readonly",
        "mbsync: SSLType IMAPS, CertificateFile, Sync Pull, Create Near, FSync yes (its default)",
        "offlineimap: ssl + sslcacertfile, folderfilter INBOX, readonly, -o -u quiet, fsync (its default)",
        "mbsync and offlineimap connect to localhost (127.0.0.1): they verify host names, not IP addresses",
        "linkmail: fetch --protocol imap --security tls --ca, fresh --state, durable Maildir delivery",
        "time = wall time of the whole process, median of N interleaved runs; peak = max ru_maxrss over runs",
        "each run verified: the Maildir holds exactly the expected Message-IDs, once each",
        "after each fill: sync and a pause (--settle, default 60 s), so files just deleted do not slow file creation",
        Measure.defaultEnvironmentRule,
    ]

    /// The clients compared, ours first.
    enum Client: String, CaseIterable, Sendable {
        case linkmail, mbsync, offlineimap
    }

    struct Settings: Sendable {
        var runs = 3
        var timeLimit = 300
        var clients = Client.allCases
        var sets = ["small", "large"]
        var linkmail: String?
        var work = "/tmp/maillink-imapbench"
        /// Seconds to wait after filling the mailbox (``FetchBenchmark/settle(seconds:)``).
        var settle = 60

        init(_ arguments: [String]) throws {
            var index = 0
            func value() throws -> String {
                index += 1
                guard index < arguments.count else {
                    throw FetchBenchmark.Failure("\(arguments[index - 1]) needs a value")
                }
                return arguments[index]
            }
            func number() throws -> Int {
                let text = try value()
                guard let number = Int(text), number > 0 else {
                    throw FetchBenchmark.Failure("not a positive number: \(text)")
                }
                return number
            }
            while index < arguments.count {
                switch arguments[index] {
                case "--runs": runs = try number()
                case "--time-limit": timeLimit = try number()
                case "--linkmail": linkmail = try value()
                case "--work": work = try value()
                case "--settle":
                    guard let seconds = Int(try value()), seconds >= 0 else { throw FetchBenchmark.Failure("--settle needs seconds") }
                    settle = seconds
                case "--sets": sets = try value().split(separator: ",").map(String.init)
                case "--clients":
                    clients = try value().split(separator: ",").map {
                        guard let client = Client(rawValue: String($0)) else {
                            throw FetchBenchmark.Failure("unknown client \($0)")
                        }
                        return client
                    }
                default: throw FetchBenchmark.Failure("unknown argument \(arguments[index])")
                }
                index += 1
            }
        }
    }

    /// The best run and peak memory of one client on one set, or why it has none.
    struct Outcome: Sendable {
        var seconds: [Double] = []
        var peakKiB: Int?
        var failure: String?
        var best: Double { seconds.min() ?? .infinity }
        var median: Double { Measure.median(seconds) }
        var measured: Bool { failure == nil && !seconds.isEmpty }
    }

    /// `imap-fetch [options]`: see the file header.
    static func run(arguments: [String]) async throws {
        let settings = try Settings(arguments)
        let bench = try TestbedEnvironment.required()
        guard let port = bench.imapsPort else { throw FetchBenchmark.Failure("the bench has no IMAPS port") }
        let user = try bench.claimUser("kate")
        let runner = try Runner(settings: settings, bench: bench, user: user, port: port)
        Measure.line("# imap-fetch benchmark: Dovecot IMAPS on \(bench.host):\(port), user \(user.address)")
        for rule in rules { Measure.line("# rule: \(rule)") }
        let clients = runner.availableClients()
        defer {
            runner.removeRuns()
            try? bench.removeAllMessages(of: user)
        }
        for set in [FetchBenchmark.small, FetchBenchmark.large] where settings.sets.contains(set.name) {
            let outcomes = try runner.measure(set, clients: clients)
            report(set, outcomes, clients: clients, bytes: runner.setBytes)
        }
        Measure.progress("imap-fetch benchmark done; each run's output and peak memory under \(settings.work)/logs")
    }

    /// Figure lines for one set, then the ratios to mbsync and offlineimap and the goals.
    static func report(_ set: FetchBenchmark.MessageSet, _ outcomes: [Client: Outcome], clients: [Client], bytes: Int) {
        let title = "imap-fetch \(set.name) (\(set.label))"
        for client in clients {
            guard let outcome = outcomes[client] else { continue }
            guard outcome.measured else {
                Measure.line("\(title), \(client): \(outcome.failure ?? "no figure")")
                continue
            }
            Measure.figure(
                "\(title), \(client)", Double(set.count) / outcome.median, "messages/s",
                note: String(
                    format: "median %.2f s of %d (best %.2f s)", outcome.median, outcome.seconds.count, outcome.best))
            Measure.figure("\(title), \(client)", Double(bytes) / 1e6 / outcome.median, "MB/s")
            Measure.figure("\(title), \(client) peak memory", outcome.peakKiB.map { Double($0) / 1024 } ?? .nan, "MiB")
        }
        guard let ours = outcomes[.linkmail], ours.measured else { return }
        for client in clients where client != .linkmail {
            guard let peer = outcomes[client], peer.measured else { continue }
            let speed = peer.median / ours.median
            Measure.ratio("\(title), speed ratio linkmail/\(client)", speed, note: "medians; above 1: linkmail faster")
            var memory: Double?
            if let ourPeak = ours.peakKiB, let peerPeak = peer.peakKiB {
                memory = Double(ourPeak) / Double(peerPeak)
                Measure.ratio(
                    "\(title), peak memory ratio linkmail/\(client)", memory!, note: "below 1: linkmail smaller")
            }
            guard client == .mbsync else { continue }
            let wanted = set.name == "small" ? 2.0 : 1.0
            Measure.line(
                String(
                    format: "%@, goal speed >= %.0f x mbsync: %@ (%.2f x)", title, wanted,
                    speed >= wanted ? "met" : "not met",
                    speed))
            if let memory {
                Measure.line(
                    String(
                        format: "%@, goal peak memory <= 1.5 x mbsync: %@ (%.2f x)", title,
                        memory <= 1.5 ? "met" : "not met", memory))
            }
        }
    }

    /// Fills kate's Maildir, writes each client's configuration, runs it and checks its Maildir.
    final class Runner {
        let settings: Settings
        let bench: TestbedEnvironment
        let user: TestbedUser
        let port: Int
        let linkmail: String
        let passwordFile: String
        let logs: String
        private(set) var setBytes = 0
        private var expected: Set<String> = []

        init(settings: Settings, bench: TestbedEnvironment, user: TestbedUser, port: Int) throws {
            self.settings = settings
            self.bench = bench
            self.user = user
            self.port = port
            linkmail = try FetchBenchmark.tools(linkmail: settings.linkmail)
            (logs, passwordFile) = try FetchBenchmark.prepare(work: settings.work, password: user.password)
        }

        func availableClients() -> [Client] {
            settings.clients.filter { client in
                let missing: String? =
                    switch client {
                    case .linkmail: nil
                    case .mbsync: Measure.available("mbsync") ? nil : "mbsync (apt-get install isync)"
                    case .offlineimap:
                        Measure.available("offlineimap") ? nil : "offlineimap (apt-get install offlineimap)"
                    }
                if let missing { Measure.line("# skipped \(client): \(missing) not installed") }
                return missing == nil
            }
        }

        func measure(_ set: FetchBenchmark.MessageSet, clients: [Client]) throws -> [Client: Outcome] {
            Measure.progress("[\(set.name)] filling \(user.address)'s Maildir with \(set.label) messages")
            try fill(set)
            Measure.progress("[\(set.name)] \(setBytes) bytes; warming Dovecot up with one unmeasured linkmail fetch")
            if let problem = try fetchOnce(.linkmail, label: "\(set.name)-warmup").problem {
                Measure.progress("[\(set.name)] warm-up: \(problem)")
            }
            var outcomes: [Client: Outcome] = [:]
            for run in 1...settings.runs {
                for client in clients where outcomes[client]?.failure == nil {
                    let (result, problem) = try fetchOnce(client, label: "\(set.name)-\(client)-\(run)")
                    var outcome = outcomes[client] ?? Outcome()
                    if let problem {
                        outcome.failure = problem
                        Measure.progress("[\(set.name)] run \(run)/\(settings.runs) \(client): \(problem)")
                    } else {
                        outcome.seconds.append(result.seconds)
                        outcome.peakKiB = max(outcome.peakKiB ?? 0, result.peakKiB ?? 0)
                        Measure.progress(
                            String(
                                format: "[%@] run %d/%d %@: %.2f s, peak %.1f MiB, %d messages verified", set.name, run,
                                settings.runs, client.rawValue, result.seconds, result.peakMiB, expected.count))
                    }
                    outcomes[client] = outcome
                }
            }
            return outcomes
        }

        private func fill(_ set: FetchBenchmark.MessageSet) throws {
            (expected, setBytes) = try FetchBenchmark.fill(
                user, of: bench, with: set, label: "imap.\(set.name)", settle: settings.settle)
        }

        /// One fetch by `client` into a fresh Maildir with fresh state (kept until the end, as in
        /// ``FetchBenchmark``: mass deletion slows the next runs' file creation).
        private func fetchOnce(_ client: Client, label: String) throws -> (run: Measure.ProcessRun, problem: String?) {
            let root = settings.work + "/runs/" + label
            let state = settings.work + "/state/" + label
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let (arguments, maildir) = try command(client, root: root, state: state)
            let run = try Measure.runMeasured(
                arguments, label: label, logDirectory: logs, timeLimit: settings.timeLimit)
            let problem: String?
            if run.timedOut {
                problem = String(format: "TIMEOUT (stopped after %.0f s, limit %d s)", run.seconds, settings.timeLimit)
            } else if run.status != 0 {
                problem = String(format: "FAILED (exit %d after %.1f s: %@)", run.status, run.seconds, run.errorTail)
            } else {
                problem = FetchBenchmark.verify(maildir, expected: expected)
            }
            return (run, problem)
        }

        /// The command line for `client`, and the Maildir folder its INBOX lands in.
        private func command(_ client: Client, root: String, state: String) throws -> ([String], String) {
            let host = bench.host
            // mbsync and offlineimap check the certificate against host names only (not IP
            // addresses), so they connect to `localhost` (127.0.0.1, a name the certificate has).
            let peerHost = host == "127.0.0.1" ? "localhost" : host
            switch client {
            case .linkmail:
                return (
                    [
                        linkmail, "fetch", "--protocol", "imap", "--server", "\(host):\(port)", "--security", "tls",
                        "--ca", bench.caFile, "--user", user.address, "--password-file", passwordFile, "--maildir",
                        root,
                        "--state", state + "/linkmail-state.json",
                    ], root
                )
            case .mbsync:
                let configuration = """
                    IMAPAccount bench
                    Host \(peerHost)
                    Port \(port)
                    User \(user.address)
                    Pass "\(user.password)"
                    SSLType IMAPS
                    CertificateFile \(bench.caFile)

                    IMAPStore bench-far
                    Account bench

                    MaildirStore bench-near
                    Path \(root)/
                    Inbox \(root)/INBOX

                    Channel bench
                    Far :bench-far:
                    Near :bench-near:
                    Patterns INBOX
                    Sync Pull
                    Create Near
                    Expunge None
                    SyncState \(state)/

                    """
                try Measure.writePrivateFile(state + "/mbsyncrc", configuration)
                return (["mbsync", "-q", "-c", state + "/mbsyncrc", "bench"], root + "/INBOX")
            case .offlineimap:
                let configuration = """
                    [general]
                    accounts = bench
                    metadata = \(state)/metadata
                    ui = quiet

                    [Account bench]
                    localrepository = near
                    remoterepository = far

                    [Repository near]
                    type = Maildir
                    localfolders = \(root)

                    [Repository far]
                    type = IMAP
                    remotehost = \(peerHost)
                    remoteport = \(port)
                    ssl = yes
                    sslcacertfile = \(bench.caFile)
                    remoteuser = \(user.address)
                    remotepass = \(user.password)
                    folderfilter = lambda folder: folder == 'INBOX'
                    readonly = True

                    """
                try Measure.writePrivateFile(state + "/offlineimaprc", configuration)
                return (["offlineimap", "-o", "-u", "quiet", "-c", state + "/offlineimaprc"], root + "/INBOX")
            }
        }

        func removeRuns() {
            Measure.progress("removing the runs' Maildirs under \(settings.work)/runs")
            for folder in ["runs", "state"] {
                try? FileManager.default.removeItem(atPath: settings.work + "/" + folder)
            }
        }
    }
}
