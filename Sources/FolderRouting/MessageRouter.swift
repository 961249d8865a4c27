/// Decides where each linked message lands: the user's rules first (first match wins), then the account's default.
///
/// Pure: no I/O, no clock. An account without a ``AccountRoute`` gets the default
/// route (a folder named after it, ``fallbackMarker``), so that mail is never dropped.
///
/// ```swift
/// let router = MessageRouter(
///     rules: [RoutingRule(name: "Lists", when: .listID(.hasSuffix(".swift.org")), destination: .folder(try Folder(["Lists"])))],
///     accounts: [AccountRoute(account: "alice@example.com", destination: .inbox, marker: .green)])
/// router.route(facts)   // RoutingDecision(folder: INBOX, marker: .green)
/// ```
public struct MessageRouter: Hashable, Sendable, Codable {
    /// The rules, tried in order.
    public var rules: [RoutingRule]
    /// Each linked account's default route, by account identifier.
    public var accounts: [String: AccountRoute]
    /// The marker of an account that has no route.
    public var fallbackMarker: MarkerColor

    /// Creates a router.
    public init(rules: [RoutingRule] = [], accounts: [AccountRoute] = [], fallbackMarker: MarkerColor = .gray) {
        self.rules = rules
        self.accounts = Dictionary(accounts.map { ($0.account, $0) }, uniquingKeysWith: { _, last in last })
        self.fallbackMarker = fallbackMarker
    }

    /// The decision for one message.
    public func route(_ facts: MessageFacts) -> RoutingDecision {
        let route = accounts[facts.account] ?? AccountRoute(account: facts.account, marker: fallbackMarker)
        if let rule = rules.first(where: { $0.condition.matches(facts) }) {
            return RoutingDecision(
                folder: RoutingDecision.folder(for: rule.destination, account: facts.account),
                marker: rule.marker ?? route.marker, ruleName: rule.name)
        }
        return RoutingDecision(folder: route.resolvedFolder, marker: route.marker)
    }
}
