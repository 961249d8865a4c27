import FolderRouting
import Foundation

/// One linked mailbox: where its mail comes from, where it lands, how it is marked, and whether
/// its owner has confirmed the address.
public struct LinkedAccount: Sendable, Hashable, Codable, Identifiable {
    /// Whether the address's owner has followed the confirmation link.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The confirmation e-mail was sent; no mail is fetched yet.
        case awaitingConfirmation
        /// Confirmed: the account syncs and can be used as a From address.
        case confirmed
    }

    /// The address, lower-cased: the account's identity everywhere (stores, UIDL records).
    public var id: String
    /// The address as the user typed it.
    public var address: String
    /// The POP3 server.
    public var incoming: ServerSettings
    /// The account's own outgoing server, for sending as this address; nil sends through the primary's.
    public var outgoing: ServerSettings?
    /// Where its mail lands and with which marker.
    public var route: AccountRoute
    /// "Leave a copy on the server".
    public var keepCopiesOnServer: Bool
    /// With copies kept: remove them from the server this many days after first seen.
    public var deleteAfterDays: Int?
    /// Confirmation state.
    public var status: Status
    /// SHA-256 (hex) of the confirmation token; the token itself is only in the e-mail.
    public var confirmationTokenDigest: String?
    /// When the account was linked.
    public var linkedAt: Date

    public init(
        address: String, incoming: ServerSettings, outgoing: ServerSettings? = nil, route: AccountRoute,
        keepCopiesOnServer: Bool = true, deleteAfterDays: Int? = nil, status: Status = .awaitingConfirmation,
        confirmationTokenDigest: String? = nil, linkedAt: Date = Date()
    ) {
        self.id = address.lowercased()
        self.address = address
        self.incoming = incoming
        self.outgoing = outgoing
        self.route = route
        self.keepCopiesOnServer = keepCopiesOnServer
        self.deleteAfterDays = deleteAfterDays
        self.status = status
        self.confirmationTokenDigest = confirmationTokenDigest
        self.linkedAt = linkedAt
    }
}
