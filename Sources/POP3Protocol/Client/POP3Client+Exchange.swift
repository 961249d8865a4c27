import MailTransport

extension POP3Client {
    /// Runs `body` in its turn; an error that leaves the session out of step with the server
    /// closes it (see `ConnectionTurns`). Operations are serialized: one owns the connection until
    /// its exchange is complete.
    func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await turns.perform(
            ended: { machine.state == .closed ? POP3Error(.invalidState, detail: "the session has ended") : nil }, end: close, body)
    }

    /// Writes `commands` with one `send` (a pipelined group, or a single command).
    func write(_ commands: [POP3Command]) async throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(commands.count * 12)
        do {
            for command in commands { try command.encode(into: &bytes) }
        } catch {
            throw SessionContinuesError(error: error)
        }
        for (index, command) in commands.enumerated() {
            if case .reject(let error) = machine.sending(command) {
                // Nothing written yet: the session is intact only if nothing was queued.
                if index == 0 { throw SessionContinuesError(error: error) }
                throw error
            }
        }
        try await connection.send(bytes)
    }

    /// Reads one response line and lets the state machine judge it; a protocol violation throws
    /// (and, through ``perform(_:)``, ends the session). Each response starts a new exchange
    /// deadline, which also covers the block that follows a `+OK` to a multi-line command.
    func readResponse() async throws -> POP3StateMachine.ResponseAction {
        reader.beginExchange(within: connection.timeouts)
        let response = try POP3Response(parsing: try await reader.readLine())
        let action = machine.responseReceived(response)
        if case .fatal(let error) = action { throw error }
        return action
    }

    /// Reads the dot-terminated block after a `.readBlock` answer.
    func readBlock(maximumSize: Int, expectedSize: Int = 0) async throws -> [UInt8] {
        let block = try await reader.readDotTerminatedBlock(maximumSize: maximumSize, expectedSize: expectedSize)
        machine.blockReceived()
        return block
    }

    /// Sends a single-line command and returns its `+OK` answer; `-ERR` throws a typed error.
    func simpleCommand(_ command: POP3Command) async throws -> POP3Response {
        try await write([command])
        return try await expectCompletion(of: command)
    }

    /// Reads the answer to `command`, which must be a single-line `+OK`.
    func expectCompletion(of command: POP3Command) async throws -> POP3Response {
        switch try await readResponse() {
        case .complete(let response): return response
        case .failed(let error): throw SessionContinuesError(error: error)
        default: throw POP3Error(.malformedResponse, detail: "unexpected answer to \(command.verb)")
        }
    }

    /// Sends a multi-line command and returns its block.
    func multiLineCommand(_ command: POP3Command, maximumSize: Int, expectedSize: Int = 0) async throws -> [UInt8] {
        try await write([command])
        switch try await readResponse() {
        case .readBlock: return try await readBlock(maximumSize: maximumSize, expectedSize: expectedSize)
        case .failed(let error): throw SessionContinuesError(error: error)
        default: throw POP3Error(.malformedResponse, detail: "unexpected answer to \(command.verb)")
        }
    }

    /// The size LIST reported for message `number`, or 0 when unknown.
    func sizeHint(_ number: Int) -> Int {
        number >= 1 && number <= knownSizes.count ? knownSizes[number - 1] : 0
    }
}
