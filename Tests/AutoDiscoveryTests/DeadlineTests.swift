import Dispatch
import Synchronization
import Testing

@testable import AutoDiscovery

/// Set once a straggler has run to its end.
final class Finished: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// Work that ignores cancellation for `seconds` (like a blocking system call on another queue),
/// then sets `finished`.
func uncooperativeWait(_ seconds: Double, finished: Finished? = nil) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
    }
    finished?.set()
}

@Suite("Deadlines and races do not wait for stragglers")
struct DeadlineTests {
    @Test("withDeadline answers at the deadline even when the work ignores cancellation")
    func deadlineKept() async {
        let straggler = Finished()
        do {
            _ = try await withDeadline(.milliseconds(200), what: "slow work") { await uncooperativeWait(40, finished: straggler) }
            Issue.record("no time-out")
        } catch let error as DiscoveryError {
            #expect(error.code == .timedOut)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(!straggler.isSet, "the straggler takes 40 s: it was not awaited")
    }

    @Test("withDeadline returns the body's value when it is in time")
    func valueInTime() async throws {
        #expect(try await withDeadline(.seconds(5), what: "quick") { 42 } == 42)
    }

    @Test("a race returns its winner without waiting for a loser that ignores cancellation")
    func raceDoesNotWait() async {
        let straggler = Finished()
        let best: @Sendable () async throws -> String = { "best" }
        let late: @Sendable () async throws -> String = {
            await uncooperativeWait(40, finished: straggler)
            return "late"
        }
        let (winner, _) = await AutoDiscoverer.race([best, late])
        #expect(winner == "best")
        #expect(!straggler.isSet, "the straggler takes 40 s: it was not awaited")
    }
}
