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
        try await runPipelined(
            numbers.map { .retr($0) }, maximumSize: maximumSize ?? configuration.maximumMessageSize,
            deleteAfterHandling: deleteAfterHandling, handler: handler)
    }

    /// The pipelining engine behind ``retrieveMany(_:maximumSize:deleteAfterHandling:handler:)``
    /// and ``delete(_:)-([Int])``: keeps the window topped up, reads answers in order.
    func runPipelined(
        _ work: [POP3Command],
        maximumSize: Int,
        deleteAfterHandling: Bool = false,
        handler: @Sendable (Int, [UInt8]) async throws -> Void
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
                    let message = try await readBlock(maximumSize: maximumSize, expectedSize: sizeHint(number))
                    guard firstError == nil else { continue }
                    do {
                        try await handler(number, message)
                        if deleteAfterHandling { deletions.append(number) }
                    } catch {
                        firstError = error
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
