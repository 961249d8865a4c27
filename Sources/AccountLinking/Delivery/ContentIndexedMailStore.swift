import FolderRouting

/// A store that knows the content key (``MailboxSync/contentKey(of:)``) of every message it holds
/// for an account without reading the messages back.
///
/// ``MailboxSync`` needs those keys when a server's unique-ids change wholesale, to recognise
/// the messages it already stored. A store on disk reads them back; a store that delivers into a
/// mail server (``LMTPMailStore``) cannot read anything back, so it records each key at delivery
/// and answers from that record.
public protocol ContentIndexedMailStore: MailStore {
    /// The content keys of the messages the store holds from `account` (the account key the sync
    /// stores with each message, ``FolderRouting/MessageOrigin/account``).
    func contentKeys(ofAccount account: String) async throws -> Set<String>
}
