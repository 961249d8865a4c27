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
}
