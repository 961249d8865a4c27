/// Where one message lands and which marker it carries: the result of ``MessageRouter/route(_:)``.
public struct RoutingDecision: Hashable, Sendable {
    /// The destination folder; a store creates it when it does not exist yet.
    public var folder: Folder
    /// The marker the message carries.
    public var marker: MarkerColor
    /// The name of the rule that decided, `nil` when the account's default route did.
    public var ruleName: String?

    /// Creates a decision.
    public init(folder: Folder, marker: MarkerColor, ruleName: String? = nil) {
        self.folder = folder
        self.marker = marker
        self.ruleName = ruleName
    }

    static func folder(for destination: RoutingDestination, account: String) -> Folder {
        switch destination {
        case .inbox: .inbox
        case .folder(let folder): folder
        case .accountFolder: Folder(uncheckedComponents: [Folder.safeComponent(account)])
        }
    }
}
