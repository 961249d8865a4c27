import FolderRouting
import Foundation

/// Durable delivery into a Maildir: MaildirStore one message per call, MaildirStore in batches, and Dovecot's LDA.
///
/// Usage: `MailLinkBenchmarks maildir [--count N] [--batch N] [--size BYTES] [--skip-lda] [--lda PATH]`
/// (defaults: 10,000 messages of about 10 KB, batches of 100, `/usr/lib/dovecot/dovecot-lda`).
///
/// dovecot-lda runs as an MTA runs it: one process per message, message on stdin, here
/// as user `nobody` through `setpriv` (it refuses to deliver as root without a userdb),
/// with a minimal configuration: `mail_location = maildir:DIR`, `mail_fsync = optimized`
/// (Dovecot's default). The cost of starting a process is printed on its own line
/// (`setpriv … /bin/true`), so the LDA's own work can be told apart from it. The three
/// take turns on tenths of the messages, so that changes in the disk's load weigh on all alike.
enum MaildirDeliveryBenchmark {
    struct Settings: Sendable {
        var count = 10_000
        var batch = 100
        var size = 10_000
        var runLDA = true
        var lda = "/usr/lib/dovecot/dovecot-lda"
    }

    static func run(arguments: [String]) async throws {
        var settings = Settings()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            switch flag {
            case "--count": settings.count = Int(remaining.popFirst() ?? "") ?? settings.count
            case "--batch": settings.batch = max(1, Int(remaining.popFirst() ?? "") ?? settings.batch)
            case "--size": settings.size = Int(remaining.popFirst() ?? "") ?? settings.size
            case "--skip-lda": settings.runLDA = false
            case "--lda": settings.lda = remaining.popFirst() ?? settings.lda
            default: throw Failure("unknown argument \(flag)")
            }
        }
        let base = NSTemporaryDirectory() + "/maillink-bench-maildir-\(getpid())"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }

        let messages = (0..<settings.count).map { message($0, size: settings.size) }
        let megabytes = Double(messages.reduce(0) { $0 + $1.count }) / 1_000_000
        print(
            String(
                format: "maildir.messages: %d messages, %.1f MB, about %d bytes each", settings.count, megabytes,
                settings.size))

        var lda: LDA?
        if settings.runLDA {
            if FileManager.default.isExecutableFile(atPath: settings.lda) {
                lda = try LDA(path: settings.lda, base: base + "/lda", messages: messages)
                let spawn = try await onThread { try spawnOverhead(runs: 200) }
                print(
                    String(format: "process.spawn: %.2f ms per process (setpriv … /bin/true, 200 runs)", spawn * 1000))
            } else {
                print("dovecot-lda: skipped, \(settings.lda) not found (apt-get install dovecot-core)")
            }
        }

        // The three contenders take turns on the same slices, so that a change in the disk's
        // load (other processes' builds) weighs on all of them alike.
        let single = try await MaildirStore.open(at: base + "/single")
        let batched = try await MaildirStore.open(at: base + "/batch")
        var times = (single: 0.0, batched: 0.0, lda: 0.0)
        let slices = 10
        for slice in 0..<slices {
            let range = (messages.count * slice / slices)..<(messages.count * (slice + 1) / slices)
            times.single += try await deliver(messages, range, batch: 1, into: single)
            times.batched += try await deliver(messages, range, batch: settings.batch, into: batched)
            if let lda { times.lda += try await onThread { try lda.deliver(range) } }
        }
        try verify(base + "/single", count: messages.count)
        try verify(base + "/batch", count: messages.count)
        report(
            "maildir.per-message", times.single, count: settings.count, megabytes: megabytes,
            note: "one durable delivery per call: fsync of file and index, then of new/")
        report(
            "maildir.batch-\(settings.batch)", times.batched, count: settings.count, megabytes: megabytes,
            note: "\(settings.batch) messages per call: files and index synced together, then new/ once")
        print(String(format: "maildir.batch-speedup: %.1fx", times.single / times.batched))
        if lda != nil {
            try verify(base + "/lda/Maildir", count: messages.count)
            report(
                "dovecot-lda", times.lda, count: settings.count, megabytes: megabytes,
                note: "one process per message as user nobody, mail_fsync=optimized")
            print(String(format: "dovecot-lda.per-message: %.2f ms", times.lda / Double(settings.count) * 1000))
        }
    }

    static func report(_ name: String, _ seconds: Double, count: Int, megabytes: Double, note: String) {
        print(
            String(
                format: "%@: %.0f messages/s, %.1f MB/s, %.2f s for %d (%@)", name, Double(count) / seconds,
                megabytes / seconds, seconds, count, note))
    }

    /// A message of about `size` bytes whose content depends on `number`.
    static func message(_ number: Int, size: Int) -> [UInt8] {
        var bytes = Array(
            """
            From: Sender \(number) <sender\(number)@example.org>\r
            To: someone@example.com\r
            Subject: benchmark message \(number)\r
            Message-ID: <bench-\(number)@maillink.test>\r
            Date: Thu, 26 Nov 2026 23:00:00 +0000\r
            \r

            """.utf8)
        var state = UInt64(number + 1) &* 6364136223846793005
        while bytes.count < size {
            for _ in 0..<76 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(33 + (state >> 33) % 94))
            }
            bytes += [13, 10]
        }
        return bytes
    }

    /// Delivers `messages[range]` in calls of `batch` messages; returns the seconds it took.
    static func deliver(
        _ messages: [[UInt8]], _ range: Range<Int>, batch: Int, into store: MaildirStore
    ) async throws
        -> Double
    {
        let incoming = range.map {
            IncomingMessage(
                bytes: messages[$0], folder: .inbox, marker: .blue,
                origin: MessageOrigin(account: "bench@example.org", uidl: "u\($0)"))
        }
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while index < incoming.count {
            let end = min(index + batch, incoming.count)
            let outcomes = try await store.deliver(Array(incoming[index..<end]))
            guard outcomes.allSatisfy(\.isDelivered) else { throw Failure("a message was not delivered") }
            index = end
        }
        return (clock.now - start).seconds
    }

    /// Counts the messages in the Maildir's `new/` and `cur/` (a message with flags goes to `cur/`).
    static func verify(_ directory: String, count: Int) throws {
        let delivered = try ["new", "cur"].reduce(0) {
            $0 + (try FileManager.default.contentsOfDirectory(atPath: directory + "/" + $1)).count
        }
        guard delivered == count else { throw Failure("\(delivered) files in \(directory), expected \(count)") }
    }

    static func spawnOverhead(runs: Int) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/true"]
            try process.run()
            process.waitUntilExit()
        }
        return (clock.now - start).seconds / Double(runs)
    }

    /// Dovecot's local delivery agent with a minimal configuration, one process per message.
    struct LDA: Sendable {
        let path: String
        let base: String
        let configuration: String

        init(path: String, base: String, messages: [[UInt8]]) throws {
            self.path = path
            self.base = base
            configuration = base + "/dovecot.conf"
            try FileManager.default.createDirectory(atPath: base + "/input", withIntermediateDirectories: true)
            for (number, bytes) in messages.enumerated() {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(base)/input/\(number).eml"))
            }
            try """
            mail_location = maildir:\(base)/Maildir
            mail_fsync = optimized
            log_path = \(base)/lda.log

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
            chown(base, 65534, 65534)
            chmod(base, 0o755)
        }

        /// Delivers the messages of `range`, each with its own process; returns the seconds it took.
        func deliver(_ range: Range<Int>) throws -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            for number in range {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
                process.arguments = [
                    "--reuid=nobody", "--regid=nogroup", "--clear-groups", path, "-c", configuration, "-f",
                    "sender\(number)@example.org",
                ]
                process.environment = ["HOME": base, "USER": "nobody", "PATH": "/usr/bin:/bin"]
                process.standardInput = FileHandle(forReadingAtPath: "\(base)/input/\(number).eml")
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw Failure("dovecot-lda exited with \(process.terminationStatus); see \(base)/lda.log")
                }
            }
            return (clock.now - start).seconds
        }
    }

    /// Runs blocking work (process waits) on a thread of its own, off Swift's cooperative pool.
    static func onThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}

extension MaildirDeliveryBenchmark {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
