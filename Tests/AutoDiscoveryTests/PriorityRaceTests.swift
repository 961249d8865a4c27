import Testing

@testable import AutoDiscovery

@Suite("Priority race rule")
struct PriorityRaceTests {
    @Test("a worse success waits while a better slot is pending, and cancels the worse ones")
    func worseWaits() {
        var race = PriorityRace(count: 4)
        #expect(race.succeeded(2) == .cancel([3]))
        #expect(race.failed(1) == .wait)
        #expect(race.failed(0) == .finish(winner: 2, cancel: []))
    }

    @Test("the best slot wins at once and cancels every pending worse slot")
    func bestWinsAtOnce() {
        var race = PriorityRace(count: 3)
        #expect(race.succeeded(0) == .finish(winner: 0, cancel: [1, 2]))
        #expect(race.failed(1) == .wait)
    }

    @Test("a better success replaces a held worse one")
    func betterReplaces() {
        var race = PriorityRace(count: 3)
        #expect(race.succeeded(2) == .wait)
        #expect(race.succeeded(1) == .wait)
        #expect(race.failed(0) == .finish(winner: 1, cancel: []))
    }

    @Test("all failing is reported once")
    func allFail() {
        var race = PriorityRace(count: 2)
        #expect(race.failed(1) == .wait)
        #expect(race.failed(0) == .allFailed)
    }

    @Test("expiry picks the best success so far, or reports failure")
    func expiry() {
        var race = PriorityRace(count: 3)
        _ = race.succeeded(1)
        #expect(race.expire() == .finish(winner: 1, cancel: [0]))
        var empty = PriorityRace(count: 2)
        #expect(empty.expire() == .allFailed)
    }
}
