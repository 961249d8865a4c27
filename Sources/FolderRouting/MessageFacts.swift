import MailMessage

/// What routing may look at in one message: the linked account it came from and a few decoded headers.
///
/// A pure value so that rules are tested without parsing mail: the caller (the sync
/// engine, with MailMessage's header parser) fills it with decoded text — RFC 2047
/// encoded words already decoded, addresses as bare `local@domain` (RFC 5322 §3.4).
public struct MessageFacts: Hashable, Sendable {
    /// The identifier of the linked account the message was fetched from (usually its address).
    public var account: String
    /// The addresses in `From:` (RFC 5322 §3.6.2).
    public var from: [String]
    /// The addresses in `To:` (RFC 5322 §3.6.3).
    public var to: [String]
    /// The addresses in `Cc:` (RFC 5322 §3.6.3).
    public var cc: [String]
    /// The decoded `Subject:` (RFC 5322 §3.6.5), `nil` when absent.
    public var subject: String?
    /// The list identifier of `List-Id:` without its angle brackets, e.g. `swift.forums.example` (RFC 2919 §2).
    public var listID: String?
    /// Every header by lower-cased field name, each occurrence's decoded value in order.
    public var headers: [String: [String]]

    /// Creates the facts of one message; header names in `headers` are lower-cased here.
    public init(
        account: String, from: [String] = [], to: [String] = [], cc: [String] = [], subject: String? = nil,
        listID: String? = nil, headers: [String: [String]] = [:]
    ) {
        self.account = account
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.listID = listID
        var lowered = [String: [String]]()
        for (name, values) in headers { lowered[name.lowercased(), default: []] += values }
        self.headers = lowered
    }

    /// The values of one header field, whatever the case of `name`; empty when absent.
    public func values(of name: String) -> [String] {
        headers[name.lowercased()] ?? []
    }

    /// The list identifier inside a `List-Id:` value: the text between the last `<` and `>`,
    /// or the whole trimmed value when there are no brackets (RFC 2919 §2: `List-Id: Swift <swift.example>`).
    public static func listIdentifier(inListIDHeader value: String) -> String? {
        if let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            let inner = String(value[value.index(after: open)..<close]).trimmingWhiteSpace()
            return inner.isEmpty ? nil : inner
        }
        let trimmed = value.trimmingWhiteSpace()
        return trimmed.isEmpty ? nil : trimmed
    }
}
