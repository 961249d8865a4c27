/// Where SCRAM gets the randomness for its client nonce (RFC 5802 §5.1 `r=`).
///
/// Injectable so that tests can fix the nonce; the default draws from the system's
/// cryptographically secure generator (`SystemRandomNumberGenerator`, getrandom(2) on Linux).
public struct RandomBytesSource: Sendable {
    private let generate: @Sendable (_ count: Int) -> [UInt8]

    /// A source that returns `generate(count)`; it must return exactly `count` bytes.
    public init(_ generate: @escaping @Sendable (_ count: Int) -> [UInt8]) {
        self.generate = generate
    }

    /// The system's cryptographically secure generator.
    public static let system = RandomBytesSource { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `count` bytes from the source.
    public func bytes(_ count: Int) -> [UInt8] {
        let bytes = generate(count)
        precondition(bytes.count == count, "a RandomBytesSource returned the wrong number of bytes")
        return bytes
    }
}
