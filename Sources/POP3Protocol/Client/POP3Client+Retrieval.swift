import MailTransport

/// Fetching messages: whole (in memory or streamed), headers only, or many at once with
/// pipelining (RFC 1939 §5 RETR, §7 TOP; RFC 2449 §6.6 PIPELINING).
extension POP3Client {
    /// `RETR n`: the whole message in memory, unstuffed, CRLF line ends as sent.
    ///
    /// - Parameter maximumSize: the most bytes accepted (default
    ///   ``Configuration/maximumMessageSize``). A larger message throws
    ///   `TransportError(.responseTooLarge)` and ends the session, since the rest of it is still
    ///   on the wire; check ``list(_:)`` first to skip large messages, or stream them with
    ///   ``retrieve(_:maximumSize:into:)``.
    public func retrieve(_ number: Int, maximumSize: Int? = nil) async throws -> [UInt8] {
        try await perform {
            try await multiLineCommand(
                .retr(number), maximumSize: maximumSize ?? configuration.maximumMessageSize,
                expectedSize: sizeHint(number))
        }
    }

    /// `RETR n`, handing the message to `sink` in chunks (of about the receive size) so that a
    /// large message needs bounded memory, for example to write it to a file.
    ///
    /// - Returns: the number of bytes handed to `sink`.
    /// - Throws: whatever `sink` throws (the session then ends: the rest of the message is
    ///   still on the wire), `TransportError(.responseTooLarge)` past `maximumSize`.
    @discardableResult
    public func retrieve(
        _ number: Int,
        maximumSize: Int = .max,
        into sink: @Sendable ([UInt8]) async throws -> Void
    ) async throws -> Int {
        try await perform {
            try await write([.retr(number)])
            switch try await readResponse() {
            case .readBlock:
                let count = try await reader.readDotTerminatedBlock(maximumSize: maximumSize) { chunk in
                    try await sink(chunk)
                }
                machine.blockReceived()
                return count
            case .failed(let error): throw SessionContinuesError(error: error)
            default: throw POP3Error(.malformedResponse, detail: "unexpected answer to RETR")
            }
        }
    }

    /// `TOP n lines`: the header and the first `lines` lines of the body (0 for headers only),
    /// for previews without downloading whole messages.
    public func top(_ number: Int, lines: Int) async throws -> [UInt8] {
        try await perform {
            try await multiLineCommand(.top(number, lines: lines), maximumSize: configuration.maximumMessageSize)
        }
    }

    /// Retrieves `numbers` in order and hands each message to `handler`, keeping up to
    /// ``Configuration/pipelineWindow`` RETR commands in flight when the server offers
    /// PIPELINING (one command at a time otherwise), so that many small messages cost few
    /// round trips.
    ///
    /// With `deleteAfterHandling`, a `DELE` is queued for each message once `handler` returned
    /// without throwing (so after the caller stored it durably). DELE only marks: the server
    /// removes the messages at ``quit()``.
    ///
    /// If a RETR is refused or `handler` throws, no new command is sent; the answers already
    /// in flight are read (and not handed over), then the first error is thrown and the session
    /// goes on. A message larger than `maximumSize` ends the session
    /// (`TransportError(.responseTooLarge)`).
    public func retrieveMany(
        _ numbers: [Int],
        maximumSize: Int? = nil,
        deleteAfterHandling: Bool = false,
        handler: @Sendable (_ number: Int, _ message: [UInt8]) async throws -> Void
    ) async throws {
        let limit = maximumSize ?? configuration.maximumMessageSize
        try await runPipelined(numbers.map { .retr($0) }, deleteAfterHandling: deleteAfterHandling) { number, handing in
            let message = try await readBlock(maximumSize: limit, expectedSize: sizeHint(number))
            guard handing else { return nil }
            do {
                try await handler(number, message)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Retrieves `numbers` in order, pipelined as
    /// ``retrieveMany(_:maximumSize:deleteAfterHandling:handler:)`` does, but hands each
    /// message over in chunks as it arrives (`chunk`, never empty), then `end` with its size in
    /// octets. Nothing here holds a whole message, so memory follows what the caller keeps, not
    /// the sizes LIST claimed (a hostile server may lie about them).
    ///
    /// If a RETR is refused or a closure throws, no new command is sent; the rest of that
    /// message and the answers already in flight are read and not handed over, then the first
    /// error is thrown and the session goes on. A message larger than `maximumSize` ends the
    /// session (`TransportError(.responseTooLarge)`).
    public func retrieveMany(
        _ numbers: [Int],
        maximumSize: Int? = nil,
        chunk: @Sendable (_ number: Int, _ bytes: [UInt8]) async throws -> Void,
        end: @Sendable (_ number: Int, _ size: Int) async throws -> Void
    ) async throws {
        let limit = maximumSize ?? configuration.maximumMessageSize
        try await runPipelined(numbers.map { .retr($0) }) { number, handing in
            var failure: (any Error)?
            let size = try await reader.readDotTerminatedBlock(maximumSize: limit) { bytes in
                guard handing, failure == nil else { return }
                do { try await chunk(number, bytes) } catch { failure = error }
            }
            machine.blockReceived()
            guard handing, failure == nil else { return failure }
            do {
                try await end(number, size)
                return nil
            } catch {
                return error
            }
        }
    }

    /// The pipelining engine behind the `retrieveMany` methods and ``delete(_:)-([Int])``: keeps
    /// the window topped up, reads answers in order. `receive` reads the block of an accepted
    /// RETR whole (it must, to keep the session in step), hands it over when `handing` is true
    /// (no earlier failure), and returns the caller's error, if any; it throws only when reading
    /// fails.
    func runPipelined(
        _ work: [POP3Command],
        deleteAfterHandling: Bool = false,
        receive: (_ number: Int, _ handing: Bool) async throws -> (any Error)? = { _, _ in nil }
    ) async throws {
        try await perform {
            let window = capabilities.pipelining ? max(1, configuration.pipelineWindow) : 1
            var inFlight: [POP3Command] = []
            var head = 0
            var next = 0
            var deletions: [Int] = []
            var firstError: (any Error)?
            inFlight.reserveCapacity(window * 2)
            while true {
                let outstanding = inFlight.count - head
                if firstError == nil, outstanding <= window / 2 {
                    var batch: [POP3Command] = []
                    while outstanding + batch.count < window, !deletions.isEmpty || next < work.count {
                        if !deletions.isEmpty {
                            batch.append(.dele(deletions.removeFirst()))
                        } else {
                            batch.append(work[next])
                            next += 1
                        }
                    }
                    if !batch.isEmpty {
                        try await write(batch)
                        if head == inFlight.count {
                            inFlight.removeAll(keepingCapacity: true)
                            head = 0
                        }
                        inFlight.append(contentsOf: batch)
                    }
                }
                guard head < inFlight.count else { break }
                let command = inFlight[head]
                head += 1
                switch try await readResponse() {
                case .readBlock:
                    guard case .retr(let number) = command else {
                        throw POP3Error(.malformedResponse, detail: "unexpected block after \(command.verb)")
                    }
                    if let error = try await receive(number, firstError == nil) {
                        firstError = error
                    } else if firstError == nil, deleteAfterHandling {
                        deletions.append(number)
                    }
                case .complete:
                    guard case .dele = command else {
                        throw POP3Error(.malformedResponse, detail: "unexpected answer to \(command.verb)")
                    }
                case .failed(let error):
                    if firstError == nil { firstError = error }
                default:
                    throw POP3Error(.malformedResponse, detail: "unexpected answer to \(command.verb)")
                }
            }
            if let firstError { throw SessionContinuesError(error: firstError) }
        }
    }
}
