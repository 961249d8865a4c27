import MailTransport
import Synchronization

/// Messages of the selected mailbox by UID: search, summaries, bodies with `BODY.PEEK[]` (in
/// memory, pipelined, or streamed), flags, expunge (RFC 9051 §6.4, RFC 4315 UIDPLUS).
extension IMAPClient {
    /// `UID SEARCH key` (RFC 9051 §6.4.4): the UIDs that match, ascending.
    public func search(_ key: IMAPSearchKey = .all) async throws -> [UInt32] {
        try await perform {
            var uids: [UInt32] = []
            _ = try await execute(.uidSearch(key)) { data in
                switch data {
                case .search(let found, _): uids += found
                case .extendedSearch(let set): uids += set.uids
                default: break
                }
            }
            return uids.sorted()
        }
    }

    /// UID, size, flags and internal date of the messages in `uids` (every message by
    /// default), without their bodies: `UID FETCH uids (UID RFC822.SIZE FLAGS INTERNALDATE)`,
    /// plus `MODSEQ` once CONDSTORE is on. Sorted by UID.
    ///
    /// - Parameter changedSince: with CONDSTORE, only messages whose flags changed after this
    ///   mod-sequence (RFC 7162 §3.1.4.1).
    public func messageSummaries(
        _ uids: IMAPUIDSet = .all, changedSince: UInt64? = nil
    ) async throws
        -> [IMAPMessageSummary]
    {
        try await perform {
            var items: [IMAPFetchItem] = [.uid, .size, .flags, .internalDate]
            if capabilities.condStore, selectedMailbox?.highestModSeq != nil { items.append(.modSeq) }
            var summaries: [IMAPMessageSummary] = []
            _ = try await execute(.uidFetch(uids, items, changedSince: changedSince)) { data in
                if case .fetch(_, let attributes) = data, let summary = IMAPMessageSummary(attributes),
                    attributes.size != nil, uids.contains(summary.uid)
                {
                    summaries.append(summary)
                }
            }
            return summaries.sorted { $0.uid < $1.uid }
        }
    }

    /// One message with `BODY.PEEK[]` (its `\Seen` flag untouched), in memory; nil when no
    /// message has this UID (any more).
    ///
    /// - Parameter maximumSize: the most bytes accepted (default
    ///   ``Configuration-swift.struct/maximumMessageSize``). A larger message throws
    ///   `TransportError(.responseTooLarge)` and ends the session; check the summary's size
    ///   first, or stream it with ``streamMessage(uid:maximumSize:into:)``.
    public func fetchMessage(uid: UInt32, maximumSize: Int? = nil) async throws -> IMAPFetchedMessage? {
        let collector = FetchedMessages()
        try await fetchMessages([uid], maximumSize: maximumSize) { message in
            collector.messages.withLock { $0.append(message) }
        }
        return collector.messages.withLock { $0.first }
    }

    /// Fetches `uids` with `BODY.PEEK[]` and hands each message to `handler` as it arrives,
    /// asking ``Configuration-swift.struct/fetchBatchSize`` UIDs per UID FETCH and keeping up to
    /// ``Configuration-swift.struct/pipelineWindow`` commands in flight, so many small messages
    /// cost few round trips.
    ///
    /// ```swift
    /// try await client.fetchMessages(newUIDs) { message in
    ///     try await store.deliver(message.content, uid: message.uid)
    /// }
    /// ```
    ///
    /// UIDs that no longer exist are skipped. If `handler` throws, no new command is sent; the
    /// answers in flight are read (and not handed over), then the first error is thrown and the
    /// session goes on. A message larger than `maximumSize` ends the session.
    public func fetchMessages(
        _ uids: [UInt32],
        maximumSize: Int? = nil,
        handler: @Sendable (IMAPFetchedMessage) async throws -> Void
    ) async throws {
        guard !uids.isEmpty else { return }
        try await perform {
            let limit = maximumSize ?? configuration.maximumMessageSize
            let wanted = IMAPUIDSet(uids)
            let ordered = wanted.uids
            let batchSize = max(1, configuration.fetchBatchSize)
            let batches = stride(from: 0, to: ordered.count, by: batchSize).map {
                IMAPUIDSet(ordered[$0..<min($0 + batchSize, ordered.count)])
            }
            let window = max(1, configuration.pipelineWindow)
            var inFlight: [String] = []
            var next = 0
            var firstError: (any Error)?
            while true {
                while firstError == nil, inFlight.count < window, next < batches.count {
                    inFlight.append(
                        try await send(.uidFetch(batches[next], [.uid, .size, .flags, .bodyPeek], changedSince: nil)))
                    next += 1
                }
                guard !inFlight.isEmpty else { break }
                switch try await readAction(maximumBodySize: limit) {
                case .data(let data):
                    absorb(data)
                    guard firstError == nil, case .fetch(_, let attributes) = data, let uid = attributes.uid,
                        wanted.contains(uid), case .bytes(let content)? = attributes.body
                    else { continue }
                    let summary = IMAPMessageSummary(
                        uid: uid, size: attributes.size ?? content.count, flags: attributes.flags ?? [])
                    do {
                        try await handler(IMAPFetchedMessage(summary: summary, content: content))
                    } catch {
                        firstError = error
                    }
                case .completed(_, let tagged):
                    inFlight.removeAll { $0 == tagged.tag }
                case .failed(_, let tag, let error):
                    inFlight.removeAll { $0 == tag }
                    if firstError == nil { firstError = error }
                default:
                    throw IMAPError(.malformedResponse, detail: "unexpected answer to UID FETCH")
                }
            }
            if let firstError { throw SessionContinuesError(error: firstError) }
        }
    }

    /// One message with `BODY.PEEK[]`, handed to `sink` in chunks (of at most the receive size)
    /// as it arrives, so a large message needs bounded memory, for example to write it to a file.
    ///
    /// ```swift
    /// let summary = try await client.streamMessage(uid: 4827) { chunk in try file.write(chunk) }
    /// ```
    ///
    /// - Returns: the message's summary, or nil when no message has this UID.
    /// - Throws: whatever `sink` throws (after the rest of the message was read and dropped; the
    ///   session goes on), `TransportError(.responseTooLarge)` past `maximumSize`.
    @discardableResult
    public func streamMessage(
        uid: UInt32,
        maximumSize: Int = .max,
        into sink: @Sendable ([UInt8]) async throws -> Void
    ) async throws -> IMAPMessageSummary? {
        try await withoutActuallyEscaping(sink) { sink in
            try await streamMessage(uid: uid, maximumSize: maximumSize, escapingSink: sink)
        }
    }

    private func streamMessage(
        uid: UInt32, maximumSize: Int, escapingSink sink: @escaping @Sendable ([UInt8]) async throws -> Void
    ) async throws -> IMAPMessageSummary? {
        try await perform {
            let tag = try await send(.uidFetch(IMAPUIDSet([uid]), [.uid, .size, .flags, .bodyPeek], changedSince: nil))
            var summary: IMAPMessageSummary?
            var sinkError: (any Error)?
            while true {
                let action: IMAPStateMachine.ResponseAction
                do {
                    if sinkError == nil {
                        action = try await readAction(maximumBodySize: maximumSize, bodySink: sink)
                    } else {
                        action = try await readAction(maximumBodySize: maximumSize, bodySink: { _ in })
                    }
                } catch let failure as SinkFailure {
                    sinkError = failure.error
                    continue
                }
                switch action {
                case .data(let data):
                    absorb(data)
                    if case .fetch(_, let attributes) = data, attributes.uid == uid, attributes.body != nil {
                        summary = IMAPMessageSummary(attributes)
                    }
                case .completed(_, let tagged) where tagged.tag == tag:
                    if let sinkError { throw SessionContinuesError(error: sinkError) }
                    return summary
                case .failed(_, _, let error):
                    throw SessionContinuesError(error: sinkError ?? error)
                default:
                    throw IMAPError(.malformedResponse, detail: "unexpected answer to UID FETCH")
                }
            }
        }
    }

    /// `UID STORE uids ±FLAGS.SILENT (flags)` (RFC 9051 §6.4.6).
    public func store(_ flags: [String], _ mode: IMAPStoreMode, uids: [UInt32]) async throws {
        guard !uids.isEmpty else { return }
        try await perform {
            _ = try await execute(.uidStore(IMAPUIDSet(uids), mode, flags: flags, silent: true))
        }
    }

    /// Marks `uids` `\Deleted` (RFC 9051 §2.3.2); they go at ``expunge(_:)``.
    public func markDeleted(_ uids: [UInt32]) async throws {
        try await store(["\\Deleted"], .add, uids: uids)
    }

    /// `UID EXPUNGE uids` (RFC 4315 §2.1): removes these messages if marked `\Deleted`, and no
    /// other (another client's `\Deleted` messages stay). Returns how many the server reported removed.
    ///
    /// - Throws: `.notSupported` without UIDPLUS (plain EXPUNGE would remove every `\Deleted`
    ///   message; call ``expungeAll()`` when that is intended).
    @discardableResult
    public func expunge(_ uids: [UInt32]) async throws -> Int {
        guard !uids.isEmpty else { return 0 }
        return try await perform {
            guard capabilities.uidPlus else {
                throw SessionContinuesError(
                    error: IMAPError(
                        .notSupported, detail: "UID EXPUNGE needs UIDPLUS (RFC 4315), which the server lacks"))
            }
            return try await expunging(.uidExpunge(IMAPUIDSet(uids)))
        }
    }

    /// `EXPUNGE` (RFC 9051 §6.4.3): removes every `\Deleted` message of the mailbox.
    @discardableResult
    public func expungeAll() async throws -> Int {
        try await perform { try await expunging(.expunge) }
    }

    private func expunging(_ command: IMAPCommand) async throws -> Int {
        var removed = 0
        _ = try await execute(command) { data in
            switch data {
            case .expunge: removed += 1
            case .vanished(false, let set): removed += set.count
            default: break
            }
        }
        return removed
    }
}

/// Collects what a `@Sendable` handler receives inside one actor call.
private final class FetchedMessages: Sendable {
    let messages = Mutex<[IMAPFetchedMessage]>([])
}
