/// A linked account's default destination and marker: what happens to its mail when no rule matches.
public struct AccountRoute: Hashable, Sendable, Codable {
    /// The linked account's identifier, as in ``MessageFacts/account``.
    public var account: String
    /// Where the account's mail goes by default.
    public var destination: RoutingDestination
    /// The marker each of its messages carries.
    public var marker: MarkerColor

    /// Creates an account's default route; by default, like Hotmail, a folder named after the account.
    public init(account: String, destination: RoutingDestination = .accountFolder, marker: MarkerColor = .blue) {
        self.account = account
        self.destination = destination
        self.marker = marker
    }

    /// A route into a new folder named after the account, distinct from the `existing` folders.
    ///
    /// Use this when linking: it fixes the folder name once (``Folder/named(afterAccount:avoiding:)``).
    public static func newFolder(
        for account: String, avoiding existing: some Sequence<Folder>, marker: MarkerColor
    )
        -> AccountRoute
    {
        AccountRoute(
            account: account, destination: .folder(Folder.named(afterAccount: account, avoiding: existing)),
            marker: marker)
    }

    /// The folder of ``destination``; `.accountFolder` gives the account's safe name without uniqueness suffix.
    public var resolvedFolder: Folder {
        RoutingDecision.folder(for: destination, account: account)
    }
}
