import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport

/// Push latency with IDLE: an IMAP account of the bench user `leo` linked (confirmed) in a
/// linker whose scheduler runs with push on and regular checks an hour apart, so only IDLE can
/// bring a message early. Each message is submitted to Postfix (submission, STARTTLS, AUTH) and
/// timed from the start of the submission until the linker reports the pass that stored it
/// (its `finished` event: the message is durably in the Maildir and recorded). One at a time,
/// with a pause after each so the watcher is back in IDLE. Prints the median and the 95th
/// percentile; the goal is a median under 1 s.
///
/// Usage: MailLinkBenchmarks imap-push [--messages N] [--work DIR]
enum IMAPPushBenchmark {
    static func run(arguments: [String]) async throws {
        var count = 50
        var work = "/tmp/maillink-imappush"
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--messages" where index + 1 < arguments.count:
                index += 1
                guard let number = Int(arguments[index]), number > 0 else {
                    throw FetchBenchmark.Failure("--messages needs a positive number")
                }
                count = number
            case "--work" where index + 1 < arguments.count:
                index += 1
                work = arguments[index]
            default: throw FetchBenchmark.Failure("unknown argument \(arguments[index])")
            }
            index += 1
        }
        let bench = try TestbedEnvironment.required()
        guard let port = bench.imapsPort else { throw FetchBenchmark.Failure("the bench has no IMAPS port") }
        let user = try bench.claimUser("leo")
        try bench.removeAllMessages(of: user)
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer {
            try? bench.removeAllMessages(of: user)
            try? FileManager.default.removeItem(atPath: work)
        }
        Measure.line(
            "# imap-push benchmark: Postfix submission \(bench.host):\(bench.submissionPort) -> Dovecot -> IDLE on \(bench.host):\(port), user \(user.address)"
        )
        Measure.line(
            "# rule: regular checks 1 hour apart (only IDLE brings mail early); time from the start of the submission to the linker's finished event of the pass that stored it"
        )

        let address = try EmailAddress(user.address)
        let trust = ConnectionPolicy(caFiles: [bench.caFile]).tlsPolicy
        let submission = SMTPMailSender(
            endpoint: Endpoint(host: bench.host, port: bench.submissionPort, security: .startTLS),
            credentials: Credentials(user: user.address, secret: .password(user.password)), tlsPolicy: trust)
        let store = try await MaildirStore.open(at: work + "/Maildir")
        var configuration = try AccountLinker.Configuration.files(
            directory: work + "/home", primaryAddress: address, confirmationSender: submission,
            confirmationBaseURL: "https://mail.example.test/confirm", store: store)
        configuration.tlsPolicy = trust
        let account = LinkedAccount(
            address: address,
            incoming: ServerSettings(host: bench.host, port: port, security: .tls, user: user.address),
            status: .confirmed, incomingProtocol: .imap)
        try await configuration.accounts.update { $0.append(account) }
        try await configuration.credentials.setSecret(.password(user.password), for: account.id)
        let linker = AccountLinker(configuration: configuration)
        let finished = FinishedPasses()
        let events = await linker.syncEvents()
        let listening = Task {
            for await event in events {
                if case .finished(let report) = event.kind { finished.add(fetched: report.fetched) }
            }
        }
        defer { listening.cancel() }
        var policy = SyncPolicy.fixed(.seconds(3600))
        policy.pushWithIDLE = true
        let scheduler = try await linker.startScheduler(policy: policy, jitter: { 0 })
        try await finished.wait(forPasses: 1, timeout: 30)  // the first, regular check
        try await Task.sleep(for: .seconds(1))

        var latencies: [Double] = []
        for number in 1...count {
            let before = finished.fetchedTotal
            let message = Array(
                """
                From: \(user.address)\r
                To: \(user.address)\r
                Subject: push latency \(number)\r
                Message-ID: <imappush.\(number).\(UUID().uuidString)@example.test>\r
                \r
                push \(number)\r

                """.utf8)
            let start = ContinuousClock.now
            _ = try await submission.send(
                envelope: try SMTPEnvelope(from: user.address, to: [user.address]), message: message)
            try await finished.wait(forFetched: before + 1, timeout: 60)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            latencies.append(seconds)
            Measure.progress(String(format: "message %d/%d: %.3f s", number, count, seconds))
            // The watcher checks once more after a push (mail may have come during the pass),
            // then idles again: give it time, so every message finds it in IDLE.
            try await Task.sleep(for: .milliseconds(700))
        }
        await scheduler.stop()
        await store.close()
        let sorted = latencies.sorted()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let p95 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
        Measure.figure("imap-push latency (\(count) messages), median", median * 1000, "ms")
        Measure.figure("imap-push latency (\(count) messages), p95", p95 * 1000, "ms")
        Measure.figure("imap-push latency (\(count) messages), max", (sorted.last ?? .nan) * 1000, "ms")
        Measure.line("imap-push latency, goal median < 1 s: \(median < 1 ? "met" : "not met")")
    }

    /// Counts the linker's finished passes and what they fetched; waits poll every 5 ms.
    final class FinishedPasses: @unchecked Sendable {
        private let lock = NSLock()
        private var passes = 0
        private var fetched = 0

        func add(fetched count: Int) {
            lock.withLock {
                passes += 1
                fetched += count
            }
        }

        var fetchedTotal: Int { lock.withLock { fetched } }
        private var passCount: Int { lock.withLock { passes } }

        func wait(forPasses wanted: Int, timeout: Double) async throws {
            try await wait(timeout: timeout, "\(wanted) passes") { self.passCount >= wanted }
        }

        func wait(forFetched wanted: Int, timeout: Double) async throws {
            try await wait(timeout: timeout, "\(wanted) messages fetched") { self.fetchedTotal >= wanted }
        }

        private func wait(timeout: Double, _ what: String, _ done: () -> Bool) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !done() {
                guard Date() < deadline else { throw FetchBenchmark.Failure("no \(what) within \(timeout) s") }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
