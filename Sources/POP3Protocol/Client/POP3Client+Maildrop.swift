import MailTransport

/// The TRANSACTION-state commands about the maildrop as a whole (RFC 1939 §5, §7).
extension POP3Client {
    /// `STAT`: message count and total size, not counting messages marked deleted.
    public func stat() async throws -> POP3MaildropStatus {
        try await perform {
            try POP3MaildropStatus(parsing: try await simpleCommand(.stat).text)
        }
    }

    /// `LIST`: every message's number and size. Sizes are remembered to allocate each
    /// retrieved message once.
    public func listAll() async throws -> [POP3MessageSize] {
        try await perform {
            let block = try await multiLineCommand(.list(nil), maximumSize: configuration.maximumListingSize)
            let listing = try POP3MessageSize.parseListing(block)
            rememberSizes(listing)
            return listing
        }
    }

    /// `LIST n`: one message's size. A message number that does not exist (or is marked
    /// deleted) throws ``POP3Error/Code/commandFailed``.
    public func list(_ number: Int) async throws -> POP3MessageSize {
        try await perform {
            let response = try await simpleCommand(.list(number))
            return try POP3MessageSize(parsing: Array(response.text.utf8))
        }
    }

    /// `UIDL`: every message's number and unique id, which identifies it across sessions.
    /// Ids are kept byte for byte as sent, even when they break RFC 1939 §7; check the listing
    /// with ``POP3UniqueIDAudit`` before keying messages (or deleting them) by id.
    public func uidlAll() async throws -> [POP3UniqueID] {
        try await perform {
            let block = try await multiLineCommand(.uidl(nil), maximumSize: configuration.maximumListingSize)
            return try POP3UniqueID.parseListing(block)
        }
    }

    /// `UIDL n`: one message's unique id.
    public func uidl(_ number: Int) async throws -> POP3UniqueID {
        try await perform {
            let response = try await simpleCommand(.uidl(number))
            return try POP3UniqueID(parsing: response.textBytes)
        }
    }

    /// `DELE n`: **marks** message `number` as deleted. Nothing is removed yet: the server
    /// removes marked messages only when ``quit()`` succeeds (the UPDATE state, RFC 1939 §6).
    /// ``reset()`` unmarks them; a session that ends without QUIT removes nothing.
    public func delete(_ number: Int) async throws {
        _ = try await perform { try await simpleCommand(.dele(number)) }
    }

    /// `DELE` for each of `numbers`, pipelined when the server offers PIPELINING. Like
    /// ``delete(_:)``, it only marks: removal happens at ``quit()``. Throws the first refusal
    /// after every answer was read.
    public func delete(_ numbers: [Int]) async throws {
        try await runPipelined(numbers.map { .dele($0) })
    }

    /// `RSET`: unmarks every message marked deleted in this session.
    public func reset() async throws {
        _ = try await perform { try await simpleCommand(.rset) }
    }

    /// `NOOP`: does nothing; keeps the session (and its lock on the maildrop) alive.
    public func noop() async throws {
        _ = try await perform { try await simpleCommand(.noop) }
    }

    /// `QUIT`: ends the session and closes the connection. After login, the server enters the
    /// UPDATE state and removes the messages marked deleted (RFC 1939 §6).
    ///
    /// - Returns: true when the server confirmed the UPDATE state (marked messages are gone);
    ///   false when the session was not logged in, so there was nothing to commit.
    /// - Throws: ``POP3Error/Code/updateFailed`` when the server could not remove some marked
    ///   messages (they will still be there next time).
    @discardableResult
    public func quit() async throws -> Bool {
        try await perform {
            defer { close() }
            try await write([.quit])
            switch try await readResponse() {
            case .quitCompleted(let committed): return committed
            case .failed(let error): throw error
            default: throw POP3Error(.malformedResponse, detail: "unexpected answer to QUIT")
            }
        }
    }

    private func rememberSizes(_ listing: [POP3MessageSize]) {
        let highest = listing.last?.number ?? 0
        guard highest <= listing.count * 2 + 1024 else { return }
        var sizes = [Int](repeating: 0, count: highest)
        for entry in listing where entry.number <= highest { sizes[entry.number - 1] = entry.size }
        knownSizes = sizes
    }
}
