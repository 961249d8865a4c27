/// A test on one message's ``MessageFacts``; rules combine them with ``all(_:)``, ``any(_:)`` and ``not(_:)``.
///
/// Address conditions match when any one address of the field matches; a header
/// condition when any occurrence of the field matches. An absent field matches nothing
/// (so `.not(.subject(.contains("x")))` is true for a message without a subject).
public indirect enum RoutingCondition: Hashable, Sendable, Codable {
    /// Always true: a catch-all rule.
    case always
    /// The linked account's identifier.
    case account(TextMatch)
    /// Any `From:` address.
    case from(TextMatch)
    /// Any `To:` or `Cc:` address: "sent to me" whichever field carries it.
    case toOrCc(TextMatch)
    /// The decoded `Subject:`.
    case subject(TextMatch)
    /// The list identifier of `List-Id:` (RFC 2919).
    case listID(TextMatch)
    /// Any occurrence of a header field, by name in any case.
    case header(String, TextMatch)
    /// Every condition holds (true when empty).
    case all([RoutingCondition])
    /// At least one condition holds (false when empty).
    case any([RoutingCondition])
    /// The condition does not hold.
    case not(RoutingCondition)

    /// Whether the message described by `facts` satisfies the condition.
    public func matches(_ facts: MessageFacts) -> Bool {
        switch self {
        case .always: return true
        case .account(let match): return match.matches(facts.account)
        case .from(let match): return facts.from.contains(where: match.matches)
        case .toOrCc(let match): return (facts.to + facts.cc).contains(where: match.matches)
        case .subject(let match): return facts.subject.map(match.matches) ?? false
        case .listID(let match): return facts.listID.map(match.matches) ?? false
        case .header(let name, let match): return facts.values(of: name).contains(where: match.matches)
        case .all(let conditions): return conditions.allSatisfy { $0.matches(facts) }
        case .any(let conditions): return conditions.contains { $0.matches(facts) }
        case .not(let condition): return !condition.matches(facts)
        }
    }
}
