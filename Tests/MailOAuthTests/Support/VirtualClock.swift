import Foundation
import Synchronization

@testable import MailOAuth

/// A clock whose sleeps return at once and move its time forward; `onSleep` runs after each
/// sleep (with its index), so a test can act "while" the client waits.
final class VirtualClock: OAuthClock {
    private let state: Mutex<(now: Date, sleeps: [Duration])>
    private let onSleep: @Sendable (Int) -> Void

    init(
        start: Date = Date(timeIntervalSince1970: 1_800_000_000), onSleep: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        state = Mutex((start, []))
        self.onSleep = onSleep
    }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let index = state.withLock { state -> Int in
            state.sleeps.append(duration)
            state.now = state.now.addingTimeInterval(Double(duration.components.seconds))
            return state.sleeps.count
        }
        onSleep(index)
    }

    /// Moves the time forward without a sleep.
    func advance(_ duration: Duration) {
        state.withLock { $0.now = $0.now.addingTimeInterval(Double(duration.components.seconds)) }
    }

    /// Every sleep so far.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}

/// A clock whose sleeps wait until the task is cancelled (for cancellation tests).
struct WaitingClock: OAuthClock {
    func now() -> Date { Date(timeIntervalSince1970: 1_800_000_000) }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: .seconds(3600)) }
}
