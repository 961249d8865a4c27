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
            _ = try await withDeadline(.milliseconds(200), what: "slow work") { await uncooperativeWait(40) }
            Issue.record("no time-out")
        } catch let error as DiscoveryError {
            #expect(error.code == .timedOut)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(ContinuousClock.now - start < .seconds(20), "the straggler takes 40 s: a generous bound that only fails if it was awaited")
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
            await uncooperativeWait(40)
            return "late"
        }
        let (winner, _) = await AutoDiscoverer.race([best, late])
        #expect(winner == "best")
        #expect(ContinuousClock.now - start < .seconds(20), "the straggler takes 40 s: a generous bound that only fails if it was awaited")
    }
}
