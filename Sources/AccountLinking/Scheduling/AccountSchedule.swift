#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When one account is checked next, and why: the scheduler's whole memory of an account, a
/// pure value whose ``record(_:at:policy:jitter:)`` is every decision the scheduler makes (so the
/// rules are tested, and simulated over a virtual day, without any server or clock).
public struct AccountSchedule: Sendable, Equatable {
    /// Why the next check is at ``due``.
    public enum Reason: String, Sendable, Equatable, CustomStringConvertible {
        /// The account was just added to the scheduler.
        case first
        /// The regular (adaptive) interval.
        case regular
        /// A retry after a failure, with exponential back-off.
        case retry
        /// The server asked to wait (a login delay, the mailbox in use, "try again later").
        case serverAsked = "server asked"
        /// Someone asked for a check now.
        case checkNow = "check now"
        public var description: String { rawValue }
    }

    /// What a check came to, as far as scheduling cares.
    public enum Outcome: Sendable, Equatable {
        /// The check fetched this many new messages (0 for an empty check).
        case fetched(Int)
        /// Another process held the account's lock; the check did not happen.
        case skipped
        /// A failure that may pass by itself: network, timeout, TLS, server error, a stalled session.
        case transient
        /// The server asked to wait, for this long when it said (RFC 2449 `LOGIN-DELAY`).
        case throttled(Duration?)
        /// The sign-in was refused: maybe a wrong password, maybe a throttle that looks like one.
        case refused
        /// Nothing changes until the owner acts (OAuth required, sign in again, POP switched off).
        case needsOwner
    }

    /// When the next check is due.
    public var due: Date
    /// Why then.
    public var reason: Reason
    /// The current adaptive interval between regular checks.
    public var interval: Duration
    /// The estimated arrival rate, in messages per hour (nil before the first check).
    public var messagesPerHour: Double?
    /// When the last check that reached the server ended.
    public var lastCheck: Date?
    /// The account's own minimum between checks (its provider's or its server's); nil for none.
    public var minimumInterval: Duration?
    /// Failures in a row (of any kind but ``Outcome/needsOwner``); 0 after a good check.
    public var failures: Int
    /// Refused sign-ins in a row, and when the first of them was.
    public var refusals: Int
    public var firstRefusal: Date?
    /// A paused account is not checked until resumed (a check now still runs it).
    public var isPaused: Bool

    /// A schedule due at `due`, starting from `policy`'s interval.
    public init(due: Date, policy: SyncPolicy, minimumInterval: Duration? = nil, reason: Reason = .first) {
        self.due = due
        self.reason = reason
        self.interval = max(policy.interval, minimumInterval ?? .zero)
        self.minimumInterval = minimumInterval
        self.failures = 0
        self.refusals = 0
        self.firstRefusal = nil
        self.isPaused = false
        self.messagesPerHour = nil
        self.lastCheck = nil
    }

    /// Takes in the outcome of a check that ended at `now` and sets the next ``due``.
    /// `jitter` is a number in -1...1 (random in the scheduler, fixed in tests) scaling
    /// ``SyncPolicy/jitter``.
    /// - Returns: true when the account now needs its owner: it is not scheduled again
    ///   (``due`` is `.distantFuture`) until its settings change.
    @discardableResult
    public mutating func record(_ outcome: Outcome, at now: Date, policy: SyncPolicy, jitter: Double) -> Bool {
        let floor = max(policy.fastestInterval, minimumInterval ?? .zero)
        let ceiling = max(policy.slowestInterval, floor)
        var delay: Duration
        switch outcome {
        case .fetched(let count):
            failures = 0
            refusals = 0
            firstRefusal = nil
            let rate = updateRate(found: count, at: now, horizon: Self.seconds(policy.rateHorizon))
            // One message an hour → `interval`; the interval scales as 1/√rate.
            let scaled = Self.seconds(policy.interval) / max(rate, 1e-3).squareRoot()
            interval = Self.clamp(.seconds(scaled), floor, ceiling)
            delay = count > 0 ? floor : interval
            reason = .regular
        case .skipped:
            delay = interval
            reason = .regular
        case .transient:
            failures += 1
            delay = Self.backOff(failures, policy)
            reason = .retry
        case .throttled(let asked):
            failures += 1
            delay = max(asked ?? policy.throttleDelay, Self.backOff(failures, policy), minimumInterval ?? .zero)
            reason = .serverAsked
        case .refused:
            failures += 1
            refusals += 1
            let first = firstRefusal ?? now
            firstRefusal = first
            if refusals >= policy.refusalsBeforeAttention,
                now.timeIntervalSince(first) >= Self.seconds(policy.refusalSpan)
            {
                due = .distantFuture
                return true
            }
            // Never sooner than the regular interval: repeating a wrong password quickly is what
            // gets an account locked by its provider.
            delay = max(Self.backOff(failures, policy), interval)
            reason = .retry
        case .needsOwner:
            due = .distantFuture
            reason = .retry
            return true
        }
        delay = max(delay, minimumInterval ?? .zero)
        let spread = 1 + policy.jitter * min(1, max(-1, jitter))
        due = now.addingTimeInterval(Self.seconds(delay) * spread)
        return false
    }

    /// Decays the rate estimate by the time since the last check and adds what this one found:
    /// a count of the mail of about the last `horizon` seconds, per hour.
    private mutating func updateRate(found count: Int, at now: Date, horizon: TimeInterval) -> Double {
        let previous: Double
        if let rate = messagesPerHour, let last = lastCheck {
            previous = rate * exp(-max(0, now.timeIntervalSince(last)) / horizon)
        } else {
            previous = 1  // a new account starts at the reference rate, checked every `interval`
        }
        let rate = previous + Double(count) * 3600 / horizon
        messagesPerHour = rate
        lastCheck = now
        return rate
    }

    /// Schedules a check now (a user's "check now", or a newly confirmed account).
    public mutating func checkNow(at now: Date) {
        due = now
        reason = .checkNow
    }

    /// `retryDelay · 2^(failures-1)`, capped.
    static func backOff(_ failures: Int, _ policy: SyncPolicy) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        return min(policy.retryDelay * (1 << exponent), policy.retryCap)
    }

    static func clamp(_ value: Duration, _ low: Duration, _ high: Duration) -> Duration {
        min(max(value, low), high)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

extension AccountSchedule.Outcome {
    /// How scheduling reads the result of a sync pass.
    ///
    /// A refused sign-in whose server words say it is a limit ("try again later", "too many",
    /// "login limit", RFC 3206's `[IN-USE]`/`[LOGIN-DELAY]`, RFC 5530's `[LIMIT]`/`[UNAVAILABLE]`)
    /// counts as a throttle, not as a wrong password.
    public init(_ result: Result<MailboxSync.Report, LinkDiagnosisError>, loginDelay: Duration? = nil) {
        switch result {
        case .success(let report):
            self = report.heldElsewhere ? .skipped : .fetched(report.fetched)
        case .failure(let error):
            self.init(error.diagnosis, loginDelay: loginDelay)
        }
    }

    /// How scheduling reads a diagnosis.
    public init(_ diagnosis: LinkDiagnosis, loginDelay: Duration? = nil) {
        let words = ((diagnosis.serverText ?? "") + " " + diagnosis.summary).lowercased()
        let throttleWords = [
            "try again later", "too many", "login limit", "rate limit", "temporarily", "in-use", "in use",
            "login-delay", "login delay", "[limit]", "[unavailable]", "[sys/temp]",
        ]
        let throttled = throttleWords.contains { words.contains($0) }
        switch diagnosis.stage {
        case .mailboxLocked:
            self = .throttled(words.contains("login") ? loginDelay : nil)
        case .authentication:
            self = throttled ? .throttled(nil) : .refused
        case .oauthRequired, .signInAgain, .popDisabled:
            self = .needsOwner
        default:
            self = throttled ? .throttled(nil) : .transient
        }
    }
}
