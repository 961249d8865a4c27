/// Bounds on the work the header and MIME parsers do, so hostile input cannot make them
/// use unbounded memory or time.
///
/// The defaults accept every real message seen in practice: RFC 5322 §2.1.1 caps lines at
/// 998 octets, but broken mailers exceed it, so the tolerance is far above that.
public struct ParserLimits: Sendable, Hashable {
    /// Largest header section accepted, in bytes. Default 1 MiB.
    public var maxHeaderBytes: Int
    /// Most header fields accepted in one header section. Default 10,000.
    public var maxFields: Int
    /// Longest physical header line accepted, in bytes. Default 256 KiB (RFC 5322 allows 998).
    public var maxLineLength: Int
    /// Deepest nesting of multiparts and `message/rfc822` parts; deeper parts are kept as
    /// opaque leaves. Default 32.
    public var maxDepth: Int
    /// Most MIME parts parsed in one message; later parts are dropped. Default 10,000.
    public var maxParts: Int

    /// Creates limits; every argument has the default described on its property.
    public init(
        maxHeaderBytes: Int = 1 << 20,
        maxFields: Int = 10_000,
        maxLineLength: Int = 256 << 10,
        maxDepth: Int = 32,
        maxParts: Int = 10_000
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxFields = maxFields
        self.maxLineLength = maxLineLength
        self.maxDepth = maxDepth
        self.maxParts = maxParts
    }

    /// The defaults.
    public static let `default` = ParserLimits()
}
