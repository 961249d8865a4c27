import FolderRouting
import MailMessage
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One linked mailbox: where its mail comes from, where it lands, how it is marked, how its
/// servers are trusted, and whether its owner has confirmed the address.
///
/// Stored (``FileAccountStore``) as one object with these keys: `id`, `address`, `incoming`,
/// `outgoing` (optional), `connection`, `destination` (`"inbox"`, `"account-folder"` or
/// `{"folder": [components]}`), `marker` (`"blue"` or `"#RRGGBB"`), `rules`, `keepCopiesOnServer`,
/// `deleteAfterDays` (optional), `status` (`"pending"`, `"confirmation-not-sent"`, `"confirmed"`),
/// `confirmation` (optional, ``ConfirmationRecord``), `linkedAt`, `confirmedAt` (optional; dates in
/// ISO 8601), `attention` (optional: `"sign-in-again"`; absent in files written before it existed),
/// `incomingProtocol` (`"pop3"` or `"imap"`; absent in files written before IMAP, which read as
/// POP3) and `imap` (``IMAPSourceOptions``, only for IMAP accounts).
public struct LinkedAccount: Sendable, Hashable, Codable, Identifiable {
    /// Where the account stands with its owner.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The confirmation e-mail was sent; no mail is fetched yet. Past its expiry it must be sent again.
        case pending
        /// Linking succeeded but the confirmation e-mail could not be sent; ``AccountLinker/resendConfirmation(for:)`` repairs it.
        case confirmationNotSent = "confirmation-not-sent"
        /// Confirmed: the account syncs and can be used as a From address.
        case confirmed

        /// The stored name.
        public var description: String { rawValue }
    }

    /// Something only the account's owner can fix, which stops sync, sending and checks until it is
    /// fixed. A scheduler skips accounts that have one instead of retrying them.
    public enum Attention: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The OAuth 2.0 grant expired or was revoked (`invalid_grant`, RFC 6749 §5.2): the owner
        /// must sign in to the provider again. A password check cannot help.
        case signInAgain = "sign-in-again"
        /// The server refused the password again and again over a long enough time that it is not
        /// a passing throttle: the owner must give the right one (or an app password).
        case passwordRefused = "password-refused"
        /// The provider has POP (or IMAP) access switched off for the mailbox: the owner must
        /// switch it on in the provider's settings.
        case accessDisabled = "access-disabled"

        /// The stored name.
        public var description: String { rawValue }
    }

    /// The account's identity: its canonical address.
    public var id: AccountID
    /// The address as the user typed it, for display and as the From of mail sent as it.
    public var address: EmailAddress
    /// The incoming server (POP3 or IMAP, as ``incomingProtocol`` says).
    public var incoming: ServerSettings
    /// The protocol spoken with ``incoming``.
    public var incomingProtocol: IncomingProtocol
    /// For IMAP: the mailboxes read and whether their folders are kept.
    public var imap: IMAPSourceOptions
    /// The account's own outgoing server, for sending as this address.
    public var outgoing: ServerSettings?
    /// How its servers are trusted and timed.
    public var connection: ConnectionPolicy
    /// Where its mail goes when no rule matches.
    public var destination: RoutingDestination
    /// The marker its messages carry.
    public var marker: MarkerColor
    /// The user's rules for this account's mail, tried before ``destination`` (first match wins).
    public var rules: [RoutingRule]
    /// "Leave a copy on the server".
    public var keepCopiesOnServer: Bool
    /// With copies kept: remove them from the server this many days after first seen.
    public var deleteAfterDays: Int?
    /// Confirmation state.
    public var status: Status
    /// The confirmation that is waiting (nil once confirmed or when none could be sent).
    public var confirmation: ConfirmationRecord?
    /// When the account was first linked.
    public var linkedAt: Date
    /// When the owner confirmed it.
    public var confirmedAt: Date?
    /// What the owner must do before the account can be used again (nil: nothing).
    public var attention: Attention?
    /// How often to check it, when it should differ from the scheduler's ``SyncPolicy/interval``.
    public var checkInterval: Duration?
    /// The shortest time its provider allows between checks (from the provider's settings, such
    /// as Mozilla autoconfig's `<pop3><checkInterval>`); a scheduler never checks sooner.
    public var minimumCheckInterval: Duration?

    /// Whether the account can be synced and used now: no ``attention`` pending.
    public var isUsable: Bool { attention == nil }

    /// An account; new accounts wait for confirmation.
    public init(
        address: EmailAddress, incoming: ServerSettings, outgoing: ServerSettings? = nil,
        connection: ConnectionPolicy = .default, destination: RoutingDestination = .accountFolder,
        marker: MarkerColor = .blue, rules: [RoutingRule] = [], keepCopiesOnServer: Bool = true,
        deleteAfterDays: Int? = nil, status: Status = .pending, confirmation: ConfirmationRecord? = nil,
        linkedAt: Date = Date(), confirmedAt: Date? = nil, incomingProtocol: IncomingProtocol = .pop3,
        imap: IMAPSourceOptions = IMAPSourceOptions()
    ) {
        self.id = AccountID(address)
        self.address = address
        self.incoming = incoming
        self.incomingProtocol = incomingProtocol
        self.imap = imap
        self.outgoing = outgoing
        self.connection = connection
        self.destination = destination
        self.marker = marker
        self.rules = rules
        self.keepCopiesOnServer = keepCopiesOnServer
        self.deleteAfterDays = deleteAfterDays
        self.status = status
        self.confirmation = confirmation
        self.linkedAt = linkedAt
        self.confirmedAt = confirmedAt
    }

    /// The account's default route, as FolderRouting sees it.
    public var route: AccountRoute { AccountRoute(account: id.rawValue, destination: destination, marker: marker) }

    /// The folder its mail lands in when no rule matches.
    public var folder: Folder { route.resolvedFolder }

    /// The router for this account's mail: its rules, then its default route.
    public var router: MessageRouter { MessageRouter(rules: rules, accounts: [route], fallbackMarker: marker) }

    /// Whether it is waiting for a confirmation that expired at `now`.
    public func confirmationExpired(at now: Date) -> Bool {
        status == .pending && (confirmation?.isExpired(at: now) ?? true)
    }

    private enum CodingKeys: String, CodingKey {
        case id, address, incoming, outgoing, connection, destination, marker, rules, keepCopiesOnServer,
            deleteAfterDays, status, confirmation, linkedAt, confirmedAt, attention, checkIntervalSeconds,
            minimumCheckIntervalSeconds, incomingProtocol, imap
    }

    /// Decodes the stored form; `id` is recomputed from `address`, so a hand edit cannot split them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .address)
        do {
            address = try EmailAddress(text)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: .address, in: container, debugDescription: "not an e-mail address: \(text)")
        }
        id = AccountID(address)
        incoming = try container.decode(ServerSettings.self, forKey: .incoming)
        incomingProtocol = try container.decodeIfPresent(IncomingProtocol.self, forKey: .incomingProtocol) ?? .pop3
        imap = try container.decodeIfPresent(IMAPSourceOptions.self, forKey: .imap) ?? IMAPSourceOptions()
        outgoing = try container.decodeIfPresent(ServerSettings.self, forKey: .outgoing)
        connection = try container.decodeIfPresent(ConnectionPolicy.self, forKey: .connection) ?? .default
        destination = try container.decode(RoutingDestination.self, forKey: .destination)
        marker = try container.decode(MarkerColor.self, forKey: .marker)
        rules = try container.decodeIfPresent([RoutingRule].self, forKey: .rules) ?? []
        keepCopiesOnServer = try container.decode(Bool.self, forKey: .keepCopiesOnServer)
        deleteAfterDays = try container.decodeIfPresent(Int.self, forKey: .deleteAfterDays)
        status = try container.decode(Status.self, forKey: .status)
        confirmation = try container.decodeIfPresent(ConfirmationRecord.self, forKey: .confirmation)
        linkedAt = try container.decode(Date.self, forKey: .linkedAt)
        confirmedAt = try container.decodeIfPresent(Date.self, forKey: .confirmedAt)
        attention = try container.decodeIfPresent(Attention.self, forKey: .attention)
        checkInterval = try container.decodeIfPresent(Int.self, forKey: .checkIntervalSeconds).map { .seconds($0) }
        minimumCheckInterval = try container.decodeIfPresent(Int.self, forKey: .minimumCheckIntervalSeconds).map {
            .seconds($0)
        }
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(address.description, forKey: .address)
        try container.encode(incoming, forKey: .incoming)
        try container.encode(incomingProtocol, forKey: .incomingProtocol)
        if incomingProtocol == .imap { try container.encode(imap, forKey: .imap) }
        try container.encodeIfPresent(outgoing, forKey: .outgoing)
        try container.encode(connection, forKey: .connection)
        try container.encode(destination, forKey: .destination)
        try container.encode(marker, forKey: .marker)
        try container.encode(rules, forKey: .rules)
        try container.encode(keepCopiesOnServer, forKey: .keepCopiesOnServer)
        try container.encodeIfPresent(deleteAfterDays, forKey: .deleteAfterDays)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(confirmation, forKey: .confirmation)
        try container.encode(linkedAt, forKey: .linkedAt)
        try container.encodeIfPresent(confirmedAt, forKey: .confirmedAt)
        try container.encodeIfPresent(attention, forKey: .attention)
        try container.encodeIfPresent(checkInterval?.components.seconds, forKey: .checkIntervalSeconds)
        try container.encodeIfPresent(minimumCheckInterval?.components.seconds, forKey: .minimumCheckIntervalSeconds)
    }
}
