import MailMessage

/// A From address the user may send as: the primary mailbox or a confirmed linked account.
public struct Identity: Sendable, Hashable, CustomStringConvertible {
    /// How mail from this identity reaches the Internet.
    public enum Route: String, Sendable, Hashable {
        /// The primary mailbox's own outgoing server.
        case primary
        /// The linked address's own outgoing server (found when linking, or given by hand).
        case ownServer = "own server"
        /// The primary's server with a `Sender:` header, because the host chose
        /// ``SendAsFallback/primaryServerWithSenderHeader`` for addresses without their own.
        case primaryWithSender = "primary server, with Sender"
        /// No way to send yet: the address has no outgoing server and the host did not allow the primary's.
        case unavailable
    }

    /// The address.
    public var address: EmailAddress
    /// The linked account, nil for the primary.
    public var account: AccountID?
    /// Whether it is the default From.
    public var isDefault: Bool
    /// How its mail is sent.
    public var route: Route

    /// An identity.
    public init(address: EmailAddress, account: AccountID?, isDefault: Bool, route: Route) {
        self.address = address
        self.account = account
        self.isDefault = isDefault
        self.route = route
    }

    /// The identity's canonical form, as accounts key on it.
    public var id: AccountID { account ?? AccountID(address) }

    /// `address` (with `(default)` for the default).
    public var description: String { address.description + (isDefault ? " (default)" : "") }
}

/// What to do with mail sent as a linked address that has no outgoing server of its own.
///
/// Sending it through the primary's server is possible with a `Sender:` header naming the primary
/// (RFC 5322 §3.6.2), but a receiver that checks DMARC (RFC 7489) may reject or junk it, since the
/// From domain's SPF and DKIM do not cover the primary's server. So the default refuses, with a
/// diagnosis, and a host opts in explicitly.
public enum SendAsFallback: String, Sendable, Hashable {
    /// Refuse, saying how to add the address's outgoing server.
    case refuse
    /// Send through the primary's server, with `Sender:` set to the primary.
    case primaryServerWithSenderHeader
}
