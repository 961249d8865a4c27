#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How often accounts are checked and how failures are retried: the rules ``SyncScheduler``
/// follows, as a plain value a host can store, show and change.
///
/// The interval adapts to how much mail each account gets. Every check updates an estimate of
/// the account's arrival rate (messages per hour, counted over the last ``rateHorizon``); an
/// account receiving one message an hour is checked every ``interval``, a busier one more often
/// and a quieter one less often, as the square root of its rate (four times the mail, half the
/// interval: for a fixed number of checks, this allocation gives the lowest total delay). Mail
/// comes in conversations, so a check that found mail is followed by one after
/// ``fastestInterval``. Intervals stay within ``fastestInterval`` and ``slowestInterval``.
/// Nothing ever checks an account more often than its
/// own minimum: the provider's published check interval (Mozilla autoconfig's
/// `<pop3><checkInterval>`) or the server's POP3 `LOGIN-DELAY` (RFC 2449 §6.8). Every delay is
/// jittered by ±``jitter`` so thousands of accounts linked at the same moment do not poll in step.
public struct SyncPolicy: Sendable, Equatable {
    /// The interval of an account that receives one message an hour, and of a new account (10 minutes).
    public var interval: Duration
    /// The shortest interval: the follow-up check after one that found mail, and the interval of
    /// the busiest accounts (5 minutes).
    public var fastestInterval: Duration
    /// The longest interval, for the quietest accounts (1 hour).
    public var slowestInterval: Duration
    /// How far back the arrival rate looks (6 hours): older mail counts less and less.
    public var rateHorizon: Duration
    /// Every delay is moved by up to this fraction either way (0.1 is ±10 %).
    public var jitter: Double
    /// The first retry after a transient failure (1 minute); each further one doubles it…
    public var retryDelay: Duration
    /// …up to this (1 hour).
    public var retryCap: Duration
    /// How long to wait when a server says "try again later" without saying how long
    /// (POP3 `[IN-USE]` or `[LOGIN-DELAY]` per RFC 3206, IMAP `[INUSE]`/`[LIMIT]` per RFC 5530): 5 minutes.
    public var throttleDelay: Duration
    /// A refused sign-in is retried (a throttle can look like a wrong password); the account is
    /// marked as needing its owner only after this many refusals in a row (3)…
    public var refusalsBeforeAttention: Int
    /// …spread over at least this long (30 minutes), so one bad minute never disables an account.
    public var refusalSpan: Duration
    /// A session that reports no progress for this long is ended and counted as a transient
    /// failure (5 minutes), so one hung server never holds a session slot for ever.
    public var stallLimit: Duration
    /// At most this many sessions at once, across all accounts, checks and IDLE watchers
    /// together (4): a provider that limits simultaneous connections sees no more than this.
    public var maximumConcurrentSessions: Int
    /// Whether IMAP accounts also get push: a session waiting in IDLE (RFC 2177) that checks the
    /// account as soon as new mail is announced (on by default). Regular checks go on either way.
    /// Each watcher holds one of the ``maximumConcurrentSessions`` for as long as it runs, and
    /// watchers hold at most all but one of them, so checks always have a slot; an IMAP account
    /// whose watcher finds none is polled until a watcher ends (with 1, no account gets push).
    public var pushWithIDLE = true
    /// How long one IDLE lasts before it is renewed (25 minutes, below RFC 2177 §3's 29).
    public var idleRestart: Duration = .seconds(25 * 60)

    /// The defaults above; every value can be changed.
    public init(
        interval: Duration = .seconds(600), fastestInterval: Duration = .seconds(300),
        slowestInterval: Duration = .seconds(3600), rateHorizon: Duration = .seconds(6 * 3600),
        jitter: Double = 0.1, retryDelay: Duration = .seconds(60), retryCap: Duration = .seconds(3600),
        throttleDelay: Duration = .seconds(300), refusalsBeforeAttention: Int = 3,
        refusalSpan: Duration = .seconds(1800), stallLimit: Duration = .seconds(300),
        maximumConcurrentSessions: Int = 4
    ) {
        self.interval = interval
        self.fastestInterval = fastestInterval
        self.slowestInterval = slowestInterval
        self.rateHorizon = rateHorizon
        self.jitter = jitter
        self.retryDelay = retryDelay
        self.retryCap = retryCap
        self.throttleDelay = throttleDelay
        self.refusalsBeforeAttention = max(1, refusalsBeforeAttention)
        self.refusalSpan = refusalSpan
        self.stallLimit = stallLimit
        self.maximumConcurrentSessions = max(1, maximumConcurrentSessions)
    }

    /// A fixed interval: no adaptation (for comparison, or for hosts that want it).
    public static func fixed(_ interval: Duration) -> SyncPolicy {
        SyncPolicy(interval: interval, fastestInterval: interval, slowestInterval: interval)
    }
}

/// Which accounts one of several workers owns: worker `index` of `count` takes the accounts whose
/// identity hashes to it. The hash (FNV-1a, 64 bits, over the account id's UTF-8) is the same in
/// every process and on every machine, so `count` workers over one shared account store split the
/// accounts between them with no coordinator, and every account has exactly one owner.
public struct SyncShard: Sendable, Hashable, CustomStringConvertible {
    /// This worker, from 0 (a Kubernetes StatefulSet's ordinal, or a systemd instance number).
    public let index: Int
    /// How many workers there are.
    public let count: Int

    /// Worker `index` of `count`; nil unless `0 <= index < count`.
    public init?(index: Int, count: Int) {
        guard count > 0, (0..<count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` as given to `linkmail sync --shard`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    /// Whether this worker owns `account`.
    public func owns(_ account: AccountID) -> Bool {
        Int(Self.stableHash(account.rawValue) % UInt64(count)) == index
    }

    /// FNV-1a over the UTF-8 bytes: stable across processes, unlike Swift's `Hasher`.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }
}
