/// The streaming delivery of ``MaildirStore``: chunks go straight to a file in `tmp/`.
///
/// `commit()` follows the same order as ``MaildirStore/deliver(_:)``; `abort()` unlinks
/// the temporary file. A writer dropped without either leaves its file until the store
/// closes or the next open removes it.
struct MaildirMessageWriter: MessageWriter {
    let store: MaildirStore
    let token: Int

    func append(_ bytes: [UInt8]) async throws {
        try await store.append(bytes, token: token)
    }

    func commit() async throws -> DeliveryOutcome {
        try await store.commit(token: token)
    }

    func abort() async {
        await store.abort(token: token)
    }

    /// Closes the file in `tmp/` and leaves it for ``MaildirStore/commit(_:)`` to publish with others.
    func stage() async throws -> StagedDelivery {
        try await store.stage(token: token)
    }
}
