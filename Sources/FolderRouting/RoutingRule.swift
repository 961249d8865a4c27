/// A user's rule: when a message satisfies ``condition``, it goes to ``destination`` with ``marker``.
///
/// Rules are tried in order and the first match wins, as in Outlook's and Sieve's
/// (RFC 5228 §2.10.1 `stop`-style) filtering; a rule can be limited to one linked
/// account with a `.account(...)` condition.
public struct RoutingRule: Hashable, Sendable, Codable {
    /// A name the user recognises, e.g. "Newsletters".
    public var name: String
    /// When the rule applies.
    public var condition: RoutingCondition
    /// Where matching mail goes.
    public var destination: RoutingDestination
    /// The marker to set; `nil` keeps the linked account's marker.
    public var marker: MarkerColor?

    /// Creates a rule.
    public init(
        name: String, when condition: RoutingCondition, destination: RoutingDestination, marker: MarkerColor? = nil
    ) {
        self.name = name
        self.condition = condition
        self.destination = destination
        self.marker = marker
    }
}
