/// A set of message UIDs in the `sequence-set` form IMAP sends (RFC 9051 §9: `1:4,7,9:12`).
///
/// Built from any UIDs (duplicates and order do not matter); encodes ranges compactly.
///
/// ```swift
/// IMAPUIDSet([1, 2, 3, 7]).description   // "1:3,7"
/// ```
public struct IMAPUIDSet: Sendable, Hashable, CustomStringConvertible {
    /// The ranges, ascending, neither overlapping nor adjacent.
    public private(set) var ranges: [ClosedRange<UInt32>]

    /// The set of `uids`.
    public init(_ uids: some Sequence<UInt32>) {
        self.init(ranges: uids.map { $0...$0 })
    }

    /// The union of `ranges`.
    public init(ranges: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, UInt64(range.lowerBound) <= UInt64(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// Whether the set is empty (an empty set cannot be sent).
    public var isEmpty: Bool { ranges.isEmpty }

    /// How many UIDs the set holds.
    public var count: Int { ranges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 } }

    /// Whether `uid` is in the set.
    public func contains(_ uid: UInt32) -> Bool { ranges.contains { $0.contains(uid) } }

    /// Every UID, ascending.
    public var uids: [UInt32] { ranges.flatMap { Array($0) } }

    /// Every UID from `uid` on: `uid:*` on the wire. The server always includes its last
    /// message in such a range, even when that message's UID is below `uid` (RFC 9051 §6.4.9),
    /// so callers filter what comes back with ``contains(_:)``.
    public static func starting(at uid: UInt32) -> IMAPUIDSet { IMAPUIDSet(ranges: [max(uid, 1)...UInt32.max]) }

    /// Every UID: `1:*`.
    public static let all = starting(at: 1)

    /// `1:3,7`, with `*` for the largest UID (2³²-1, which stands for "the last message").
    public var description: String {
        func text(_ value: UInt32) -> String { value == .max ? "*" : "\(value)" }
        return ranges.map {
            $0.lowerBound == $0.upperBound ? text($0.lowerBound) : "\(text($0.lowerBound)):\(text($0.upperBound))"
        }
        .joined(separator: ",")
    }

    /// Parses a sequence set of UIDs without `*` (as in VANISHED, RFC 7162 §3.2.10); nil when
    /// malformed, when a number is 0 or above 2³²-1, or when it has more than `maximumRanges` parts.
    public init?(parsing text: some StringProtocol, maximumRanges: Int = 100_000) {
        var ranges: [ClosedRange<UInt32>] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard ranges.count < maximumRanges else { return nil }
            let bounds = part.split(separator: ":", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2 else { return nil }
            var numbers: [UInt32] = []
            for bound in bounds {
                guard !bound.isEmpty, bound.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt32(bound),
                    value > 0
                else { return nil }
                numbers.append(value)
            }
            ranges.append(min(numbers[0], numbers[numbers.count - 1])...max(numbers[0], numbers[numbers.count - 1]))
        }
        self.init(ranges: ranges)
    }
}
