import Dispatch
import Testing

@testable import AutoDiscovery

/// Work that ignores cancellation for `seconds` (like a blocking system call on another queue).
func uncooperativeWait(_ seconds: Double) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
    }
}

@Suite("Deadlines and races do not wait for stragglers")
struct DeadlineTests {
    @Test("withDeadline answers at the deadline even when the work ignores cancellation")
    func deadlineKept() async {
        let start = ContinuousClock.now
        do {
            _ = try await withDeadline(.milliseconds(200), what: "slow work") { await uncooperativeWait(10) }
            Issue.record("no time-out")
        } catch let error as DiscoveryError {
            #expect(error.code == .timedOut)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(6), "the straggler takes 10 s")
    }

    @Test("withDeadline returns the body's value when it is in time")
    func valueInTime() async throws {
        #expect(try await withDeadline(.seconds(5), what: "quick") { 42 } == 42)
    }

    @Test("a race returns its winner without waiting for a loser that ignores cancellation")
    func raceDoesNotWait() async {
        let start = ContinuousClock.now
        let best: @Sendable () async throws -> String = { "best" }
        let late: @Sendable () async throws -> String = {
            await uncooperativeWait(10)
            return "late"
        }
        let (winner, _) = await AutoDiscoverer.race([best, late])
        #expect(winner == "best")
        #expect(ContinuousClock.now - start < .seconds(6), "the straggler takes 10 s")
    }
}
