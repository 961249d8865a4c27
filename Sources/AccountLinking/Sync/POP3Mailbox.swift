import POP3Protocol

/// A logged-in `POP3Client` session seen as a ``RemoteMailbox`` for ``MailboxSync``.
///
/// The listing joins `LIST` (sizes) and `UIDL` (unique-ids); batches are retrieved with the
/// client's pipelined `retrieveMany` when the server offers PIPELINING.
public struct POP3Mailbox: RemoteMailbox {
    /// The session, logged in (TRANSACTION state).
    public let client: POP3Client

    public init(client: POP3Client) {
        self.client = client
    }

    public func listing() async throws -> [RemoteMessage] {
        let sizes = try await client.listAll()
        let uniqueIDs = try await client.uidlAll()
        var sizeByNumber: [Int: Int] = [:]
        for entry in sizes { sizeByNumber[entry.number] = entry.size }
        return uniqueIDs.map { RemoteMessage(number: $0.number, uniqueIDBytes: $0.bytes, size: sizeByNumber[$0.number] ?? 0) }
    }

    public func retrieve(_ numbers: [Int], maximumSize: Int) async throws -> [[UInt8]] {
        try await gatheredRetrieval(numbers, maximumSize: maximumSize)
    }

    public func retrieve(
        _ numbers: [Int], maximumSize: Int,
        chunk: @escaping @Sendable (_ number: Int, _ bytes: [UInt8]) async throws -> Void,
        end: @escaping @Sendable (_ number: Int, _ size: Int) async throws -> Void
    ) async throws {
        try await client.retrieveMany(numbers, maximumSize: maximumSize, chunk: chunk, end: end)
    }

    public func retrieve(_ number: Int, maximumSize: Int, into sink: @escaping @Sendable ([UInt8]) async throws -> Void) async throws {
        try await client.retrieve(number, maximumSize: maximumSize, into: sink)
    }

    public func markDeleted(_ numbers: [Int]) async throws {
        try await client.delete(numbers)
    }

    public var loginDelay: Duration? {
        get async { await client.capabilities.loginDelay.map { .seconds($0) } }
    }

    public func finish() async throws {
        try await client.quit()
    }
}
