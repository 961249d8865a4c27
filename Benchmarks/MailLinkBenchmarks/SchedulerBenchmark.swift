// The scheduler: many accounts synced at several concurrencies, and a simulated day of polling.
// Usage: MailLinkBenchmarks sync-many [ACCOUNTS] [--messages N] [--size BYTES] [--concurrency 1,4,16,64] [--runs N]
//        MailLinkBenchmarks simulate-day [--accounts N] [--seed S] [--interval S] [--fastest S] [--slowest S] [--horizon S]
// Build first: swift build -c release --product MailLinkBenchmarks

import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender

#if canImport(Glibc)
    import Glibc
#endif

enum SchedulerBenchmark {
    // MARK: - sync-many

    /// N accounts on one fake POP3 server over loopback TLS (implicit TLS, the certificate
    /// verified against a throwaway CA), each with the same `messages` messages of about `size`
    /// bytes (shared buffers, so the fake server holds one copy). For each concurrency: a fresh
    /// Maildir and fresh sync records, the scheduler's "check now" for every account (the first
    /// sync: every message stored durably), then again (the idle pass: nothing new). Peak memory
    /// is the process's VmHWM, fake server included.
    static func runSyncMany(arguments: [String]) async throws {
        let count = Int(arguments.first ?? "") ?? 1000
        let messages = value(arguments, "--messages") ?? 20
        let size = value(arguments, "--size") ?? 10_240
        let levels = (text(arguments, "--concurrency") ?? "1,4,16,64").split(separator: ",").compactMap { Int($0) }
        let runs = max(1, value(arguments, "--runs") ?? 1)
        let users = (0..<count).map { "user\($0)@many.test" }
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: Dictionary(uniqueKeysWithValues: users.map { ($0, "pw") })))
        let bodies = (0..<messages).map { number in
            Array(("From: sender@many.test\r\nSubject: message \(number)\r\nMessage-ID: <m\(number)@many.test>\r\n\r\n"
                + String(repeating: "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n", count: max(1, size / 68)))
                .utf8)
        }
        for user in users {
            for (number, body) in bodies.enumerated() { server.deliver(FakePOP3Message(uid: "m\(number)", content: body), to: user) }
        }
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let listener = try server.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { listener.close() }
        let endpoint = listener.endpoint(security: .tls)
        print("sync-many: \(count) accounts × \(messages) messages of ~\(size) bytes, fake POP3 over loopback TLS; "
              + "first sync then an idle pass at each concurrency")
        // Every run's Maildir stays until the end: deleting 20,000 files slows the next run's file
        // creation on ext4 (its inode allocator searches past recently deleted inodes).
        var workFolders: [String] = []
        defer { for folder in workFolders { try? FileManager.default.removeItem(atPath: folder) } }
        for concurrency in levels {
          var firsts: [Double] = []
          var idles: [Double] = []
          for run in 1...runs {
            let work = NSTemporaryDirectory() + "maillink-sync-many-\(UUID().uuidString)"
            workFolders.append(work)
            let store = try await MaildirStore.open(at: work + "/Maildir")
            var configuration = AccountLinker.Configuration(
                primaryAddress: try EmailAddress("me@many.test"), confirmationSender: StubMailSender(),
                confirmationBaseURL: "https://many.test/confirm",
                accounts: InMemoryAccountStore(try users.map { user in
                    LinkedAccount(
                        address: try EmailAddress(user),
                        incoming: ServerSettings(host: endpoint.host, port: endpoint.port, security: .tls, user: user),
                        status: .confirmed, confirmedAt: Date())
                }),
                credentials: InMemoryCredentialStore(), syncState: try FileSyncStateStore(directory: work + "/state"),
                identities: InMemoryIdentityStore(), store: store)
            configuration.tlsPolicy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile])
            for user in users { try await configuration.credentials.setSecret(.password("pw"), for: AccountID(try EmailAddress(user))) }
            let linker = AccountLinker(configuration: configuration)
            let scheduler = try await linker.startScheduler(
                policy: SyncPolicy(maximumConcurrentSessions: concurrency), jitter: { 0 })
            // Counted by the scheduler, not from the event stream, which drops the oldest events
            // when its reader falls behind.
            func pass() async throws -> (seconds: Double, failed: Int, fetched: Int, cpu: Double) {
                let cpuBefore = cpuSeconds()
                let before = await scheduler.completedChecks
                let start = ContinuousClock.now
                await scheduler.checkNow()
                while await scheduler.completedChecks < before + count { try await Task.sleep(for: .milliseconds(5)) }
                let elapsed = ContinuousClock.now - start
                var failed = 0
                var fetched = 0
                for result in await linker.lastSync.values {
                    switch result {
                    case .success(let report): fetched += report.fetched
                    case .failure: failed += 1
                    }
                }
                return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, failed, fetched,
                        cpuSeconds() - cpuBefore)
            }
            let first = try await pass()
            let idle = try await pass()
            await scheduler.stop()
            await store.close()
            firsts.append(first.seconds)
            idles.append(idle.seconds)
            let label = "sync-many c=\(concurrency)" + (runs > 1 ? " run \(run)" : "")
            Measure.report("\(label) first sync", first.seconds, "s",
                           note: "\(Int(Double(count) / first.seconds)) accounts/s, \(Int(Double(first.fetched) / first.seconds)) messages/s, "
                               + "\(first.fetched) fetched, \(first.failed) failed")
            Measure.report("\(label) idle pass", idle.seconds, "s",
                           note: "\(Int(Double(count) / idle.seconds)) accounts/s, \(idle.failed) failed, "
                               + String(format: "CPU %.2f ms per check (client and fake server, TLS handshake included)", idle.cpu * 1000 / Double(count)))
            Measure.report("\(label) peak memory so far", Measure.peakMemoryMiB(), "MiB")
          }
          if runs > 1 {
            Measure.report("sync-many c=\(concurrency) first sync, median of \(runs)", firsts.sorted()[runs / 2], "s",
                           note: String(format: "range %.2f–%.2f s", firsts.min() ?? 0, firsts.max() ?? 0))
            Measure.report("sync-many c=\(concurrency) idle pass, median of \(runs)", idles.sorted()[runs / 2], "s",
                           note: String(format: "range %.2f–%.2f s", idles.min() ?? 0, idles.max() ?? 0))
          }
        }
    }

    /// User plus system CPU time of this process, in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    // MARK: - simulate-day

    /// A day of 100,000 accounts on a virtual clock, adaptive scheduling against a fixed
    /// 10-minute poll, with the same arrivals. Each account's daily volume is log-normal
    /// (median 4 messages, a long tail of busy accounts, at most 400); mail comes in bursts
    /// (a conversation: on average 2 messages, minutes apart) whose starts follow a working-day
    /// profile (quiet at night, busiest 9:00–17:00). Two days are simulated and the second one
    /// measured, so the adaptive intervals have settled. A check imports every message that
    /// arrived before it; the delay of a message is from its arrival to that check. No session
    /// limit is modelled (each account is checked on its own schedule).
    static func runSimulation(arguments: [String]) async throws {
        let count = value(arguments, "--accounts") ?? 100_000
        var random = SplitMix64(seed: UInt64(value(arguments, "--seed") ?? 42))
        var arrivals: [[Double]] = []
        arrivals.reserveCapacity(count)
        var totalMessages = 0
        for _ in 0..<count {
            let daily = min(400, exp(log(4) + 1.2 * random.normal()))
            var times: [Double] = []
            for day in 0..<2 {
                let bursts = random.poisson(daily / 2)
                for _ in 0..<bursts {
                    var time = Double(day) * 86_400 + random.workingDayTime()
                    let size = random.geometric(mean: 2)
                    for _ in 0..<size {
                        times.append(time)
                        time += random.exponential(mean: 240)
                    }
                }
            }
            times.sort()
            totalMessages += times.filter { $0 >= 86_400 && $0 < 2 * 86_400 }.count
            arrivals.append(times)
        }
        print("simulate-day: \(count) accounts, \(totalMessages) messages on the measured day (seed \(value(arguments, "--seed") ?? 42))")
        var results: [(String, checks: Int, median: Double, p90: Double, decisions: Int, seconds: Double)] = []
        var tuned = SyncPolicy()
        if let seconds = value(arguments, "--fastest") { tuned.fastestInterval = .seconds(seconds) }
        if let seconds = value(arguments, "--slowest") { tuned.slowestInterval = .seconds(seconds) }
        if let seconds = value(arguments, "--interval") { tuned.interval = .seconds(seconds) }
        if let seconds = value(arguments, "--horizon") { tuned.rateHorizon = .seconds(seconds) }
        for (name, policy) in [("fixed 10 min", SyncPolicy.fixed(.seconds(600))), ("adaptive", tuned)] {
            var jitterSource = SplitMix64(seed: 7)
            var checks = 0
            var decisions = 0
            var delays: [Double] = []
            delays.reserveCapacity(totalMessages)
            let start = ContinuousClock.now
            let origin = Date(timeIntervalSince1970: 0)
            for times in arrivals {
                var schedule = AccountSchedule(due: origin, policy: policy)
                var time = jitterSource.uniform() * 600
                var next = 0
                while time < 2 * 86_400 {
                    var found = 0
                    while next < times.count, times[next] <= time {
                        if times[next] >= 86_400 { delays.append(time - times[next]) }
                        next += 1
                        found += 1
                    }
                    if time >= 86_400 { checks += 1 }
                    schedule.record(.fetched(found), at: origin.addingTimeInterval(time), policy: policy,
                                    jitter: jitterSource.uniform() * 2 - 1)
                    decisions += 1
                    time = schedule.due.timeIntervalSince(origin)
                }
                // Messages of the measured day not yet imported wait for the first check after it.
                while next < times.count, times[next] < 2 * 86_400 {
                    delays.append(time - times[next])
                    next += 1
                }
            }
            let elapsed = ContinuousClock.now - start
            delays.sort()
            results.append((name, checks, delays[delays.count / 2], delays[delays.count * 9 / 10], decisions,
                            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }
        for result in results {
            Measure.report("simulate-day \(result.0) checks", Double(result.checks), "checks",
                           note: String(format: "%.1f per account", Double(result.checks) / Double(count)))
            Measure.report("simulate-day \(result.0) median delay", result.median / 60, "min",
                           note: String(format: "p90 %.1f min", result.p90 / 60))
            Measure.report("simulate-day \(result.0) decision cost", result.seconds * 1e9 / Double(result.decisions), "ns",
                           note: "per AccountSchedule.record, \(result.decisions) decisions")
        }
        let fixed = results[0]
        let adaptive = results[1]
        Measure.report("simulate-day adaptive checks vs fixed", 100 * (1 - Double(adaptive.checks) / Double(fixed.checks)), "% fewer",
                       note: String(format: "median delay %.1f vs %.1f min", adaptive.median / 60, fixed.median / 60))
    }

    static func value(_ arguments: [String], _ name: String) -> Int? { text(arguments, name).flatMap { Int($0) } }

    static func text(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}

/// The distributions the simulated day draws from (SplitMix64 is seeded, so every run simulates the same day).
extension SplitMix64 {
    /// In [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func normal() -> Double {
        let u = max(uniform(), 1e-12)
        return sqrt(-2 * log(u)) * cos(2 * .pi * uniform())
    }

    mutating func exponential(mean: Double) -> Double { -mean * log(max(uniform(), 1e-12)) }

    mutating func poisson(_ mean: Double) -> Int {
        if mean > 30 { return max(0, Int((mean + sqrt(mean) * normal()).rounded())) }
        let limit = exp(-mean)
        var product = uniform()
        var count = 0
        while product > limit {
            product *= uniform()
            count += 1
        }
        return count
    }

    mutating func geometric(mean: Double) -> Int {
        var count = 1
        while uniform() > 1 / mean { count += 1 }
        return count
    }

    /// A second of the day, weighted: night 0.1, morning and evening 0.6, 9:00–17:00 1.0.
    mutating func workingDayTime() -> Double {
        while true {
            let second = uniform() * 86_400
            let hour = Int(second / 3600)
            let weight = (9..<17).contains(hour) ? 1.0 : (7..<22).contains(hour) ? 0.6 : 0.1
            if uniform() < weight { return second }
        }
    }
}
