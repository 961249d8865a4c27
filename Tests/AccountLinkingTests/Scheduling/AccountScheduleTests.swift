import AccountLinking
import Foundation
import Testing

@Suite("AccountSchedule: every scheduling decision, without a server or a clock")
struct AccountScheduleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = SyncPolicy()

    /// Records an outcome; true when the account now needs its owner.
    func mark(_ schedule: inout AccountSchedule, _ outcome: AccountSchedule.Outcome, at time: Date, policy: SyncPolicy, jitter: Double) -> Bool {
        schedule.record(outcome, at: time, policy: policy, jitter: jitter)
    }

    func seconds(_ schedule: AccountSchedule, after time: Date) -> Double {
        schedule.due.timeIntervalSince(time)
    }

    @Test("a check that found mail is followed up soon; busy accounts are checked often, quiet ones rarely")
    func adaptive() {
        var schedule = AccountSchedule(due: start, policy: policy)
        var time = start
        schedule.record(.fetched(3), at: time, policy: policy, jitter: 0)
        #expect(seconds(schedule, after: time) == 300, "the follow-up after mail: fastestInterval")
        #expect(schedule.reason == .regular)
        // Quiet: nothing for a day and more; the interval grows to the slowest.
        for _ in 0..<200 {
            time = schedule.due
            schedule.record(.fetched(0), at: time, policy: policy, jitter: 0)
        }
        #expect(seconds(schedule, after: time) == 3600, "never slower than slowestInterval")
        #expect((schedule.messagesPerHour ?? 1) < 0.03)
        // Busy: ten messages at every check; the interval shrinks to the fastest.
        for _ in 0..<20 {
            time = schedule.due
            schedule.record(.fetched(10), at: time, policy: policy, jitter: 0)
        }
        #expect(schedule.interval == .seconds(300), "never faster than fastestInterval")
    }

    @Test("an account receiving one message an hour is checked every interval; four times as busy, twice as often")
    func squareRootRule() {
        var schedule = AccountSchedule(due: start, policy: policy)
        schedule.messagesPerHour = 1
        schedule.lastCheck = start
        schedule.record(.fetched(0), at: start, policy: policy, jitter: 0)
        #expect(abs(seconds(schedule, after: start) - 600) < 1)
        schedule.messagesPerHour = 4
        schedule.record(.fetched(0), at: start, policy: policy, jitter: 0)
        #expect(abs(seconds(schedule, after: start) - 300) < 1)
        schedule.messagesPerHour = 0.25
        schedule.record(.fetched(0), at: start, policy: policy, jitter: 0)
        #expect(abs(seconds(schedule, after: start) - 1200) < 1)
    }

    @Test("the provider's minimum (web.de's 15 minutes) holds even after mail and for retries")
    func minimumHolds() {
        var schedule = AccountSchedule(due: start, policy: policy, minimumInterval: .seconds(900))
        #expect(schedule.interval == .seconds(900))
        for _ in 0..<4 { schedule.record(.fetched(5), at: start, policy: policy, jitter: -1) }
        #expect(seconds(schedule, after: start) >= 900 * 0.9, "not even the follow-up after mail is sooner")
        schedule.record(.transient, at: start, policy: policy, jitter: 0)
        #expect(seconds(schedule, after: start) == 900)
    }

    @Test("jitter moves a delay by at most its fraction either way")
    func jitter() {
        for value in [-1.0, -0.3, 0, 0.7, 1, 5] {
            var schedule = AccountSchedule(due: start, policy: policy)
            schedule.record(.transient, at: start, policy: policy, jitter: value)
            let delay = seconds(schedule, after: start)
            #expect(delay >= 60 * 0.9 - 0.001 && delay <= 60 * 1.1 + 0.001)
        }
    }

    @Test("transient failures back off exponentially to the cap, and a good check resets them")
    func backOff() {
        var schedule = AccountSchedule(due: start, policy: policy)
        var delays: [Double] = []
        for _ in 0..<8 {
            schedule.record(.transient, at: start, policy: policy, jitter: 0)
            delays.append(seconds(schedule, after: start))
        }
        #expect(delays == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(schedule.reason == .retry)
        schedule.record(.fetched(0), at: start, policy: policy, jitter: 0)
        #expect(schedule.failures == 0 && schedule.reason == .regular)
    }

    @Test("a throttle waits as long as the server asked, or the policy's throttle delay")
    func throttle() {
        var schedule = AccountSchedule(due: start, policy: policy)
        schedule.record(.throttled(nil), at: start, policy: policy, jitter: 0)
        #expect(seconds(schedule, after: start) == 300 && schedule.reason == .serverAsked)
        schedule.record(.throttled(.seconds(1200)), at: start, policy: policy, jitter: 0)
        #expect(seconds(schedule, after: start) == 1200)
    }

    @Test("one refused sign-in never disables an account; repeated refusals over the span do")
    func refusals() {
        var schedule = AccountSchedule(due: start, policy: policy)
        var time = start
        #expect(!mark(&schedule, .refused, at: time, policy: policy, jitter: 0))
        #expect(seconds(schedule, after: time) >= 600, "a refused password is never retried quickly")
        time = time.addingTimeInterval(60)
        #expect(!mark(&schedule, .refused, at: time, policy: policy, jitter: 0))
        time = time.addingTimeInterval(60)
        #expect(!mark(&schedule, .refused, at: time, policy: policy, jitter: 0), "three refusals in two minutes: not yet")
        time = start.addingTimeInterval(1800)
        #expect(mark(&schedule, .refused, at: time, policy: policy, jitter: 0))
        #expect(schedule.due == .distantFuture)
    }

    @Test("a good check between refusals starts the count again")
    func refusalsReset() {
        var schedule = AccountSchedule(due: start, policy: policy)
        schedule.record(.refused, at: start, policy: policy, jitter: 0)
        schedule.record(.refused, at: start.addingTimeInterval(900), policy: policy, jitter: 0)
        schedule.record(.fetched(0), at: start.addingTimeInterval(1800), policy: policy, jitter: 0)
        #expect(!mark(&schedule, .refused, at: start.addingTimeInterval(2700), policy: policy, jitter: 0))
        #expect(schedule.refusals == 1)
    }

    @Test("OAuth required, sign in again and POP switched off need the owner at once")
    func needsOwner() {
        var schedule = AccountSchedule(due: start, policy: policy)
        #expect(mark(&schedule, .needsOwner, at: start, policy: policy, jitter: 0))
        schedule.checkNow(at: start)
        #expect(schedule.due == start && schedule.reason == .checkNow)
    }

    @Test("diagnoses are read as throttles, refusals, owner problems or transient failures")
    func classification() {
        func outcome(_ stage: LinkDiagnosis.Stage, _ server: String? = nil) -> AccountSchedule.Outcome {
            AccountSchedule.Outcome(LinkDiagnosis(stage: stage, summary: "x", serverText: server, suggestion: "y"))
        }
        #expect(outcome(.authentication, "-ERR [AUTH] invalid credentials") == .refused)
        #expect(outcome(.authentication, "-ERR login limit reached, try again later") == .throttled(nil))
        #expect(outcome(.authentication, "NO [UNAVAILABLE] temporarily unavailable") == .throttled(nil))
        #expect(outcome(.mailboxLocked, "-ERR [IN-USE] locked") == .throttled(nil))
        #expect(
            AccountSchedule.Outcome(
                LinkDiagnosis(stage: .mailboxLocked, summary: "login delay", serverText: "-ERR [LOGIN-DELAY] wait", suggestion: ""),
                loginDelay: .seconds(900)) == .throttled(.seconds(900)))
        #expect(outcome(.popDisabled) == .needsOwner)
        #expect(outcome(.oauthRequired) == .needsOwner)
        #expect(outcome(.signInAgain) == .needsOwner)
        #expect(outcome(.timeout) == .transient)
        #expect(outcome(.tls) == .transient)
        var report = MailboxSync.Report()
        report.fetched = 2
        #expect(AccountSchedule.Outcome(.success(report)) == .fetched(2))
        report.heldElsewhere = true
        #expect(AccountSchedule.Outcome(.success(report)) == .skipped)
    }

    @Test("a fixed policy never adapts")
    func fixed() {
        let fixed = SyncPolicy.fixed(.seconds(600))
        var schedule = AccountSchedule(due: start, policy: fixed)
        schedule.record(.fetched(9), at: start, policy: fixed, jitter: 0)
        #expect(seconds(schedule, after: start) == 600)
        schedule.record(.fetched(0), at: start, policy: fixed, jitter: 0)
        #expect(seconds(schedule, after: start) == 600)
    }
}

@Suite("SyncShard: workers split the accounts with no coordinator")
struct SyncShardTests {
    @Test("every account has exactly one owner among N workers, the same in every process")
    func partition() throws {
        let ids = try (0..<3000).map { try AccountID(parsing: "user\($0)@example.test") }
        let shards = (0..<4).compactMap { SyncShard(index: $0, count: 4) }
        var counts = [0, 0, 0, 0]
        for id in ids {
            let owners = shards.filter { $0.owns(id) }
            #expect(owners.count == 1)
            counts[owners[0].index] += 1
        }
        #expect(counts.allSatisfy { $0 > 600 }, "the hash spreads accounts: \(counts)")
        #expect(SyncShard(index: 0, count: 1)?.owns(ids[0]) == true)
        // FNV-1a("a@example.test") = 0x9d7415543f260cd8, which is 6 mod 7 (computed independently):
        // the hash is fixed by its definition, so the split is the same on every machine and release.
        let id = try AccountID(parsing: "a@example.test")
        #expect((0..<7).filter { SyncShard(index: $0, count: 7)?.owns(id) == true } == [6])
    }

    @Test("K/N parses when 0 <= K < N")
    func parsing() {
        #expect(SyncShard(parsing: "1/3") == SyncShard(index: 1, count: 3))
        #expect(SyncShard(parsing: "1/3")?.description == "1/3")
        for bad in ["3/3", "-1/3", "1/0", "x/2", "1", "1/2/3", ""] { #expect(SyncShard(parsing: bad) == nil) }
    }
}
