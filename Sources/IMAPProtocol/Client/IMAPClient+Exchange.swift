import MailTransport

extension IMAPClient {
    /// Runs `body` in its turn; an error that leaves the session out of step with the server
    /// closes it (see `ConnectionTurns`). Operations are serialized: one owns the connection until
    /// its exchange is complete.
    func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await turns.perform(
            ended: { machine.state == .closed ? IMAPError(.invalidState, detail: "the session has ended") : nil },
            end: close, body)
    }

    /// The options the encoder may use with this server.
    var encodingOptions: IMAPEncodingOptions {
        IMAPEncodingOptions(
            literalMode: capabilities.literalMode, utf8Accepted: enabledExtensions.contains("UTF8=ACCEPT"))
    }

    /// Encodes and writes `command` with a fresh tag. A synchronizing literal makes it wait for
    /// the server's continuation before the next segment; untagged data met meanwhile is absorbed.
    /// Returns the tag.
    @discardableResult
    func send(_ command: IMAPCommand) async throws -> String {
        let tag = "A\(nextTag)"
        let encoded: IMAPEncodedCommand
        do {
            encoded = try command.encode(tag: tag, options: encodingOptions)
        } catch {
            throw SessionContinuesError(error: error)
        }
        if case .reject(let error) = machine.sending(
            command, tag: tag, literalContinuations: encoded.segments.count - 1)
        {
            throw SessionContinuesError(error: error)
        }
        nextTag += 1
        try await connection.send(encoded.segments[0])
        for segment in encoded.segments.dropFirst() {
            waiting: while true {
                switch try await readAction() {
                case .continuation: break waiting
                case .data(let data): absorb(data)
                case .failed(_, _, let error):
                    // The server refused the literal; the command is complete.
                    throw SessionContinuesError(error: error)
                default:
                    throw IMAPError(.malformedResponse, detail: "unexpected answer while sending a literal")
                }
            }
            try await connection.send(segment)
        }
        return tag
    }

    /// Reads one response, its literals bounded; a message body literal goes to `bodySink` when
    /// one is given (streamed, never held whole).
    ///
    /// - Parameter bodySink: receives a `BODY[]` literal in chunks; if it throws, the rest of
    ///   the literal is read and dropped, and the error is returned in `sinkError`.
    func readRaw(
        maximumBodySize: Int? = nil,
        bodySink: (([UInt8]) async throws -> Void)? = nil
    ) async throws -> IMAPRawResponse {
        let raw = try await readRawCollectingSinkError(maximumBodySize: maximumBodySize, bodySink: bodySink)
        if let error = raw.sinkError { throw SinkFailure(error: error, response: raw.response) }
        return raw.response
    }

    /// A sink failed while a body streamed; the response was read completely.
    struct SinkFailure: Error {
        let error: any Error
        let response: IMAPRawResponse
    }

    private func readRawCollectingSinkError(
        maximumBodySize: Int?,
        bodySink: (([UInt8]) async throws -> Void)?
    ) async throws -> (response: IMAPRawResponse, sinkError: (any Error)?) {
        var lines: [[UInt8]] = [try await reader.readLine()]
        var literals: [IMAPLiteralContent] = []
        var total = lines[0].count
        var sinkError: (any Error)?
        while let size = try IMAPLiteralAnnouncement.size(endingLine: lines[lines.count - 1]) {
            guard literals.count < configuration.maximumLiteralCount else {
                throw TransportError(
                    .responseTooLarge, "a response with more than \(configuration.maximumLiteralCount) literals")
            }
            let isBody = IMAPLiteralAnnouncement.announcesMessageBody(lines[lines.count - 1])
            let limit =
                isBody ? (maximumBodySize ?? configuration.maximumMessageSize) : configuration.maximumLiteralSize
            guard size <= limit else {
                throw TransportError(.responseTooLarge, "a literal of \(size) bytes exceeds \(limit)")
            }
            if isBody, let bodySink {
                var remaining = size
                while remaining > 0 {
                    let chunk = try await reader.readBytes(min(remaining, configuration.receiveSize))
                    remaining -= chunk.count
                    if sinkError == nil {
                        do { try await bodySink(chunk) } catch { sinkError = error }
                    }
                }
                literals.append(.streamed(size: size))
            } else {
                total += size
                guard total <= limit + configuration.maximumLineLength else {
                    throw TransportError(
                        .responseTooLarge, "a response exceeds \(limit + configuration.maximumLineLength) bytes")
                }
                literals.append(.bytes(try await readLiteral(size)))
            }
            let line = try await reader.readLine()
            total += line.count
            lines.append(line)
        }
        return (IMAPRawResponse(lines: lines, literals: literals), sinkError)
    }

    /// Reads `size` bytes in pieces of at most 1 MiB, into one allocation.
    private func readLiteral(_ size: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while bytes.count < size {
            bytes += try await reader.readBytes(min(size - bytes.count, 1 << 20))
        }
        return bytes
    }

    /// Reads one response and lets the state machine judge it; a protocol violation throws
    /// (and, through ``perform(_:)``, ends the session).
    func readAction(
        maximumBodySize: Int? = nil, bodySink: (([UInt8]) async throws -> Void)? = nil
    ) async throws -> IMAPStateMachine.ResponseAction {
        let response = try IMAPResponseParser.parse(
            try await readRaw(maximumBodySize: maximumBodySize, bodySink: bodySink))
        let action = machine.responseReceived(response)
        if case .fatal(let error) = action { throw error }
        return action
    }

    /// Sends `command` and reads until its completion, handing untagged data to `onData`
    /// (after the session's own bookkeeping). `NO`/`BAD` throws a typed error; the session goes on.
    @discardableResult
    func execute(
        _ command: IMAPCommand,
        onData: (IMAPUntaggedResponse) throws -> Void = { _ in }
    ) async throws -> IMAPTaggedResponse {
        let tag = try await send(command)
        while true {
            switch try await readAction() {
            case .data(let data):
                absorb(data)
                try onData(data)
            case .completed(_, let tagged) where tagged.tag == tag:
                absorbCompletion(tagged)
                return tagged
            case .failed(_, _, let error):
                throw SessionContinuesError(error: error)
            case .loggedOut:
                return IMAPTaggedResponse(tag: tag, status: .ok, text: IMAPResponseText(text: ""))
            default:
                throw IMAPError(.malformedResponse, detail: "unexpected answer to \(command.verb)")
            }
        }
    }

    /// The session's bookkeeping for untagged data: capabilities, alerts, the selected
    /// mailbox's message count.
    func absorb(_ data: IMAPUntaggedResponse) {
        switch data {
        case .capability(let announced):
            capabilities = announced
        case .condition(_, let text):
            if text.code?.name == IMAPResponseCode.alert { alerts.append(text.text) }
            if text.code?.name == IMAPResponseCode.capability, let words = text.code?.words {
                capabilities = IMAPCapabilities(words)
            }
        case .exists(let count):
            selectedMailbox?.status.messageCount = count
        case .expunge:
            if let count = selectedMailbox?.status.messageCount, count > 0 {
                selectedMailbox?.status.messageCount = count - 1
            }
        default: break
        }
    }

    /// A completion may carry `[CAPABILITY ...]` (after login) or `[ALERT]`.
    func absorbCompletion(_ tagged: IMAPTaggedResponse) {
        lastCompletionHadCapabilities = tagged.text.code?.name == IMAPResponseCode.capability
        absorb(.condition(tagged.status, tagged.text))
    }
}
