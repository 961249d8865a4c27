import MailTransport

extension SMTPClient {
    /// Sends several messages on this session and reports each one's outcome, in order.
    ///
    /// With PIPELINING (RFC 2920 §3.1) the next message's MAIL, RCPT… go in the same write as
    /// the end of the previous message, so a burst does not wait a round trip per message; with
    /// CHUNKING too, each message goes as `BDAT n LAST` (RFC 3030) and several transactions are
    /// on the wire at once (``SMTPBurstStateMachine``). Without PIPELINING the messages go one
    /// after the other, each command waiting for its reply.
    ///
    /// A refused message (sender, every recipient, or the data refused) is a failure in its own
    /// place and does not disturb the others. When the session fails (a transport error, 421)
    /// the messages without an outcome get one too: `messageOutcomeUnknown` for a message whose
    /// end was written, since the server may hold it (RFC 5321 §4.5.3.2.6), else the error that
    /// ended the session; the session is closed then.
    ///
    /// The messages are held until the call returns: for a very long burst, call it with
    /// slices of a few hundred.
    ///
    /// - Returns: one result per submission, in the order given.
    /// - Throws: ``SMTPError`` with `.notConnected` when the session is not open.
    public func send(_ submissions: [SMTPSubmission]) async throws -> [Result<SMTPSendResult, SMTPError>] {
        try await exclusively {
            try self.requireReady()
            if self.capabilities.supportsPipelining { return await self.sendBurst(submissions).results }
            var results: [Result<SMTPSendResult, SMTPError>] = []
            for submission in submissions {
                do {
                    try self.requireReady()
                    results.append(
                        .success(try await self.sendMessage(envelope: submission.envelope, message: submission.message))
                    )
                } catch let error as SMTPError {
                    results.append(.failure(error))
                } catch {
                    results.append(.failure(Self.connectionFailure(error)))
                }
            }
            return results
        }
    }

    /// Runs a ``SMTPBurstStateMachine`` over the connection. Returns the results and, when the
    /// connection failed underneath, the transport error (for the one-message ``send(envelope:message:)``).
    func sendBurst(
        _ submissions: [SMTPSubmission]
    ) async -> (results: [Result<SMTPSendResult, SMTPError>], transportError: (any Error)?) {
        var burst = SMTPBurstStateMachine(
            messages: submissions.map { submission in
                let has8BitData = submission.message.withUnsafeBufferPointer { buffer in buffer.contains { $0 >= 0x80 }
                }
                return SMTPBurstStateMachine.Message(
                    envelope: submission.envelope, size: submission.message.count, has8BitData: has8BitData)
            },
            capabilities: capabilities,
            configuration: .init(
                chunkSize: configuration.dataChunkSize,
                maximumTransactionsInFlight: configuration.maximumTransactionsInFlight))
        var transportError: (any Error)?
        do {
            var action = burst.start()
            loop: while true {
                switch action {
                case .write(let write):
                    try await perform(write, submissions: submissions)
                    action = burst.written()
                case .wait:
                    action = burst.replyReceived(try await readReply())
                case .finished:
                    break loop
                case .sessionFailed:
                    close()
                    break loop
                }
            }
        } catch let error as SMTPError {
            // A command that cannot be encoded, or a reply that cannot be parsed.
            close()
            burst.connectionFailed(error)
        } catch {
            close()
            transportError = error
            burst.connectionFailed(Self.connectionFailure(error))
        }
        return (
            burst.results.map { $0 ?? .failure(SMTPError(.notConnected, detail: "the message was not sent")) },
            transportError
        )
    }

    static func connectionFailure(_ error: any Error) -> SMTPError {
        SMTPError(.connectionFailed, detail: "the connection failed while sending", underlying: "\(error)")
    }

    /// One write of a burst in as few `send` calls as the chunk size allows: the end of a DATA
    /// message, the commands, then a message as BDAT chunks.
    private func perform(_ write: SMTPBurstStateMachine.Write, submissions: [SMTPSubmission]) async throws {
        var bytes: [UInt8] = []
        switch write.content {
        case .none: break
        case .terminatorOnly: bytes += [UInt8(ascii: "."), 0x0d, 0x0a]
        case .message(let index): try await encodeData(submissions[index].message, into: &bytes)
        }
        for command in write.commands { bytes += try command.encoded() }
        if let index = write.chunkedMessage { try await encodeChunks(submissions[index].message, into: &bytes) }
        if !bytes.isEmpty { try await connection.send(bytes) }
    }

    /// Appends the DATA stream of `message` (dot-stuffed, CRLF, `.` line) to `bytes`, sending
    /// all but its last piece on the way so that memory stays bounded (RFC 5321 §4.5.2).
    func encodeData(_ message: [UInt8], into bytes: inout [UInt8]) async throws {
        var encoder = SMTPDataEncoder()
        var offset = 0
        repeat {
            let end = min(message.count, offset + configuration.dataChunkSize)
            encoder.encode(message[offset..<end], into: &bytes)
            if end == message.count {
                encoder.finish(into: &bytes)
            } else {
                try await connection.send(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
            offset = end
        } while offset < message.count
    }

    /// Appends `message` as BDAT chunks (RFC 3030 §2) to `bytes`, one chunk per
    /// ``Configuration/dataChunkSize`` octets before encoding, sending all but the last chunk
    /// on the way; line ends made CRLF, nothing stuffed.
    private func encodeChunks(_ message: [UInt8], into bytes: inout [UInt8]) async throws {
        var encoder = SMTPDataEncoder(dotStuffing: false)
        var chunk: [UInt8] = []
        var offset = 0
        repeat {
            let end = min(message.count, offset + configuration.dataChunkSize)
            chunk.removeAll(keepingCapacity: true)
            encoder.encode(message[offset..<end], into: &chunk)
            let last = end == message.count
            if last { encoder.finishLine(into: &chunk) }
            bytes += try SMTPCommand.bdat(size: chunk.count, last: last).encoded()
            bytes += chunk
            if !last {
                try await connection.send(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
            offset = end
        } while offset < message.count
    }
}
