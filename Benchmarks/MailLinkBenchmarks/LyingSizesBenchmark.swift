// `linkmail fetch` against a hostile POP3 server whose LIST lies: every message is listed at 100
// bytes and then sent at its real, much larger size. Peak memory must follow what arrives.
// Usage: MailLinkBenchmarks lying-sizes [--count 48] [--megabytes 40] [--runs 3] [--linkmail PATH]
// Build first: swift build -c release --product MailLinkBenchmarks --product linkmail

import Foundation
import MailAuth
import MailTesting
import MailTransport

/// The scenario: `count` messages, each listed by LIST as 100 bytes and sent as `megabytes` MB
/// (a small header plus generated body lines, so the fake server holds none of it in memory),
/// from the in-process fake POP3 server over loopback TLS into a fresh Maildir, by the release
/// `linkmail fetch` as its own process. Peak memory is the process's `ru_maxrss`
/// (`/usr/bin/time -f %M`); every message is checked in the Maildir by its size.
enum LyingSizesBenchmark {
    typealias Failure = FetchBenchmark.Failure

    static func run(arguments: [String]) async throws {
        var count = 48
        var megabytes = 40
        var runs = 3
        var linkmail: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() throws -> String {
                guard let value = iterator.next() else { throw Failure("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--count": count = Int(try value()) ?? count
            case "--megabytes": megabytes = Int(try value()) ?? megabytes
            case "--runs": runs = max(1, Int(try value()) ?? runs)
            case "--linkmail": linkmail = try value()
            default: throw Failure("unknown argument \(argument)")
            }
        }
        let executableDirectory = Bundle.main.executableURL?.deletingLastPathComponent().path ?? "."
        let program = linkmail ?? executableDirectory + "/linkmail"
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw Failure("no linkmail at \(program): swift build -c release --product linkmail (or --linkmail PATH)")
        }
        guard FileManager.default.isExecutableFile(atPath: Measure.timeProgram) else {
            throw Failure("\(Measure.timeProgram) is missing (apt-get install time): it gives the peak memory")
        }

        let user = "hostile@example.test"
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: [user: "pw"]))
        let messages = (1...count).map { index in
            FakePOP3Message(
                uid: "lie-\(index)", content: Array("Subject: lying size \(index)\r\n\r\n".utf8), listedSize: 100,
                fillerSize: megabytes * 1_000_000)
        }
        for message in messages { server.deliver(message, to: user) }
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let listener = try server.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }

        let work = NSTemporaryDirectory() + "maillink-lying-sizes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work + "/logs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let passwordFile = work + "/password"
        try Measure.writePrivateFile(passwordFile, "pw\n")
        let total = messages.reduce(0) { $0 + $1.size }
        print("lying-sizes: \(count) messages listed at 100 bytes, sent at \(megabytes) MB each (\(total / 1_000_000) MB in all), fake POP3 over loopback TLS, release linkmail fetch")

        var peaks: [Double] = []
        var seconds: [Double] = []
        for run in 1...runs {
            let maildir = work + "/Maildir-\(run)"
            let arguments = [
                program, "fetch", "--server", "127.0.0.1:\(listener.endpoint(security: .tls).port)", "--security", "tls",
                "--ca", authority.caFile, "--user", user, "--password-file", passwordFile, "--maildir", maildir,
                "--state", work + "/state-\(run).json",
            ]
            // runMeasured blocks its thread until the program ends: keep it off the concurrency
            // pool, whose threads (two on two cores) serve the fake server's side of the TLS.
            let logs = work + "/logs"
            let result = try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        try Measure.runMeasured(arguments, label: "run-\(run)", logDirectory: logs, timeLimit: 600)
                    })
                }.start()
            }
            guard result.status == 0, let peak = result.peakKiB else {
                throw Failure("linkmail fetch failed (status \(result.status)): \(result.errorTail)")
            }
            let sizes = try storedSizes(maildir)
            guard sizes.count == count, Set(sizes) == Set(messages.map(\.size)) else {
                throw Failure("run \(run): the Maildir holds \(sizes.count) messages of sizes \(Set(sizes)), expected \(count) of \(messages[0].size)")
            }
            try? FileManager.default.removeItem(atPath: maildir)
            peaks.append(Double(peak) / 1024)
            seconds.append(result.seconds)
            Measure.progress(String(format: "run %d/%d: %.2f s, peak %.1f MiB, %d messages verified", run, runs, result.seconds, Double(peak) / 1024, count))
        }
        let medianSeconds = seconds.sorted()[runs / 2]
        Measure.report("lying-sizes peak memory, median of \(runs)", peaks.sorted()[runs / 2], "MiB",
            note: "range \(String(format: "%.1f–%.1f", peaks.min() ?? 0, peaks.max() ?? 0)); goal under 128 MB")
        Measure.report("lying-sizes wall time, median of \(runs)", medianSeconds, "s")
        Measure.report("lying-sizes throughput", Double(total) / 1_000_000 / medianSeconds, "MB/s")
    }

    /// The sizes of the messages in a Maildir's new/ and cur/.
    private static func storedSizes(_ maildir: String) throws -> [Int] {
        var sizes: [Int] = []
        for folder in ["new", "cur"] {
            let path = maildir + "/" + folder
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + name)
                sizes.append((attributes[.size] as? NSNumber)?.intValue ?? -1)
            }
        }
        return sizes
    }
}
