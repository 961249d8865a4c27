/// An enhanced mail system status code, `class.subject.detail` (RFC 3463), such as `5.7.9`.
///
/// Servers that advertise `ENHANCEDSTATUSCODES` (RFC 2034) put it at the start of each reply
/// line. It says far more than the three-digit code: `5.7.8` is "bad credentials", `5.7.9`
/// "mechanism too weak" (Gmail and others: "an application-specific password is required"),
/// `5.3.4` "message too big".
///
/// ```
/// S: 534-5.7.9 Application-specific password required.
/// ```
public struct EnhancedStatusCode: Sendable, Hashable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public var statusClass: Int
    /// The subject (RFC 3463 §3): 1 addressing, 2 mailbox, 3 mail system, 4 network,
    /// 5 protocol, 6 content, 7 security or policy.
    public var subject: Int
    /// The detail within the subject.
    public var detail: Int

    /// A code from its three parts.
    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `class.subject.detail` where class is 2, 4 or 5 and subject and detail have one to
    /// three digits (RFC 3463 §2); nil otherwise.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let statusClass = Int(parts[0]), [2, 4, 5].contains(statusClass),
            let subject = Int(parts[1]), let detail = Int(parts[2])
        else { return nil }
        self.init(statusClass, subject, detail)
    }

    /// `5.7.9`.
    public var description: String { "\(statusClass).\(subject).\(detail)" }
}
