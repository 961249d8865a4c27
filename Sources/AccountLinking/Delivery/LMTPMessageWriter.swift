import FolderRouting
import MailAuth
import SMTPSender

/// One message streamed into an ``LMTPMailStore``: the bytes go to the server as they arrive
/// (dot-stuffed, in chunks), so a large message needs bounded memory, and the content key is
/// computed on the way for the delivery record.
///
/// Nothing is delivered before ``commit()`` sends the final dot; ``abort()`` closes the session
/// instead, and a server never delivers a message whose final dot it did not receive
/// (RFC 5321 §4.1.1.4, which LMTP keeps).
actor LMTPMessageWriter: MessageWriter {
    /// Where the message goes.
    struct Target: Sendable {
        var folder: Folder
        var marker: MarkerColor?
        var origin: MessageOrigin?
        var recipient: SMTPPath
    }

    private enum State {
        case streaming(LMTPClient, Target)
        /// The store already holds the origin's message: bytes are dropped, commit says duplicate.
        case duplicate(StoredMessage.ID)
        case finished
    }

    private let store: LMTPMailStore
    private var state: State
    private var digest = SHA256()
    private var size = 0

    /// A writer streaming into `client`'s message, begun already (the server said 354).
    init(store: LMTPMailStore, client: LMTPClient, target: Target) {
        self.store = store
        self.state = .streaming(client, target)
    }

    /// A writer for a message the store holds already.
    init(store: LMTPMailStore, duplicateOf existing: StoredMessage.ID) {
        self.store = store
        self.state = .duplicate(existing)
    }

    func append(_ bytes: [UInt8]) async throws {
        switch state {
        case .duplicate: return
        case .finished: throw MailStoreError(.writerClosed, "the delivery was already committed or aborted")
        case .streaming(let client, let target):
            digest.update(bytes)
            size += bytes.count
            do {
                try await client.appendMessage(bytes)
            } catch {
                state = .finished
                await client.close()
                throw LMTPMailStore.storeError(error, endpoint: store.configuration.endpoint, folder: target.folder)
            }
        }
    }

    func commit() async throws -> DeliveryOutcome {
        switch state {
        case .duplicate(let existing):
            state = .finished
            return .duplicate(existing: existing)
        case .finished:
            throw MailStoreError(.writerClosed, "the delivery was already committed or aborted")
        case .streaming(let client, let target):
            state = .finished
            let outcome: LMTPDeliveryResult
            do {
                outcome = try await client.endMessage()
            } catch {
                await client.close()
                throw LMTPMailStore.storeError(error, endpoint: store.configuration.endpoint, folder: target.folder)
            }
            await store.checkin(client)
            return .delivered(
                try await store.record(
                    folder: target.folder, marker: target.marker, origin: target.origin, recipient: target.recipient,
                    size: size, content: MailboxSync.contentKey(size: size, digest: digest.finalize()), outcome: outcome
                ))
        }
    }

    func abort() async {
        if case .streaming(let client, _) = state { await client.close() }
        state = .finished
    }
}
