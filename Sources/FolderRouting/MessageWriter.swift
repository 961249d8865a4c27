/// One message being delivered in chunks, so that a multi-megabyte `RETR` never sits whole in memory.
///
/// Obtained from ``MailStore/beginDelivery(to:marker:origin:)``. Append the bytes as
/// they arrive, then ``commit()`` once; until then nothing is visible in the store.
/// Call ``abort()`` when the transfer fails. Owned by one task at a time.
public protocol MessageWriter: Sendable {
    /// Appends the next bytes of the message.
    func append(_ bytes: [UInt8]) async throws
    /// Makes the message durable and visible, or reports it as a duplicate and discards it.
    func commit() async throws -> DeliveryOutcome
    /// Discards everything written; nothing becomes visible. Harmless after `commit()`.
    func abort() async
    /// Ends the message without making it visible yet: it becomes durable and visible with the
    /// others given to ``MailStore/commit(_:)``, so several streamed messages share one
    /// durability round. Use instead of ``commit()``, not after it.
    func stage() async throws -> StagedDelivery
}

extension MessageWriter {
    /// Commits at once (a store whose streamed messages cannot wait for a group); the outcome
    /// is handed back by ``MailStore/commit(_:)``.
    public func stage() async throws -> StagedDelivery {
        StagedDelivery(.committed(try await commit()))
    }
}
