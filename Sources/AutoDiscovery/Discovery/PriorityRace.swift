/// The selection rule of a priority race, as a pure state machine (no I/O, no clock).
///
/// All contenders start together; slot 0 has the best priority. The winner is the
/// best-priority success, decided only once every better slot has failed: a fast answer from
/// a worse source is held while a better one is pending (Thunderbird's
/// `promiseFirstSuccessful`, K-9's `PriorityParallelRunner`, autoconfig draft §"Retrieval").
/// A success cancels every worse slot still pending, since none of them can win any more.
struct PriorityRace: Sendable {
    /// What the driver must do after an event.
    enum Action: Equatable, Sendable {
        /// Keep waiting.
        case wait
        /// Cancel these pending slots (they can no longer win) and keep waiting.
        case cancel([Int])
        /// Slot `winner` won; cancel these pending slots.
        case finish(winner: Int, cancel: [Int])
        /// Every slot failed.
        case allFailed
    }

    private enum Slot: Equatable { case pending, succeeded, failed, cancelled }
    private var slots: [Slot]
    private(set) var isDecided = false

    /// A race of `count` slots, all pending.
    init(count: Int) {
        slots = Array(repeating: .pending, count: count)
    }

    /// Slot `index` produced a usable result.
    mutating func succeeded(_ index: Int) -> Action {
        guard !isDecided, slots[index] == .pending else { return .wait }
        slots[index] = .succeeded
        let worse = cancelPending(after: index)
        if let winner = decide() { return .finish(winner: winner, cancel: worse + cancelPending(after: winner)) }
        return worse.isEmpty ? .wait : .cancel(worse)
    }

    /// Slot `index` failed (or found nothing).
    mutating func failed(_ index: Int) -> Action {
        guard !isDecided, slots[index] == .pending else { return .wait }
        slots[index] = .failed
        if let winner = decide() { return .finish(winner: winner, cancel: cancelPending(after: winner)) }
        if slots.allSatisfy({ $0 == .failed || $0 == .cancelled }) {
            isDecided = true
            return .allFailed
        }
        return .wait
    }

    /// Time ran out: the best success so far wins, if any.
    mutating func expire() -> Action {
        guard !isDecided else { return .wait }
        isDecided = true
        let pending = slots.indices.filter { slots[$0] == .pending }
        if let best = slots.firstIndex(of: .succeeded) { return .finish(winner: best, cancel: pending) }
        return .allFailed
    }

    /// The winner, when the first slot that has not failed has succeeded.
    private mutating func decide() -> Int? {
        guard let first = slots.firstIndex(where: { $0 != .failed && $0 != .cancelled }), slots[first] == .succeeded
        else {
            return nil
        }
        isDecided = true
        return first
    }

    private mutating func cancelPending(after index: Int) -> [Int] {
        var cancelled: [Int] = []
        for slot in slots.indices where slot > index && slots[slot] == .pending {
            slots[slot] = .cancelled
            cancelled.append(slot)
        }
        return cancelled
    }
}
