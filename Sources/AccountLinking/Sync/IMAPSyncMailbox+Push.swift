import IMAPProtocol

/// Push with IDLE (RFC 2177): wait for new mail on one connection, then sync on another.
extension IMAPSyncMailbox {
    /// Waits on `client` (logged in, used for nothing else; `mailbox` is examined, read-only) until `mailbox` has
    /// new mail or `timeout` passes. Returns true when there is mail to sync.
    ///
    /// ```swift
    /// var uidNext: UInt32? = nil
    /// while true {
    ///     _ = try await MailboxSync(options: options, store: store, statePath: path).run(await makeSource())
    ///     if try await IMAPSyncMailbox.waitForNewMail(on: watcher, since: &uidNext, timeout: .seconds(25 * 60)) {
    ///         continue   // new mail: sync now
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - since: the UIDNEXT seen when the caller last synced (nil the first time); updated
    ///     here. Mail that arrived before IDLE started is reported at once instead of waiting.
    ///   - timeout: below RFC 2177 §3's 29 minutes and the connection's read timeout.
    /// - Throws: `IMAPError(.notSupported)` when the server lacks IDLE: poll instead.
    public static func waitForNewMail(
        on client: IMAPClient, in mailbox: IMAPMailboxName = .inbox, since uidNext: inout UInt32?,
        timeout: Duration, clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> Bool {
        // EXAMINE each time: its UIDNEXT is fresh, so mail that came during the last sync counts.
        let opened = try await client.select(mailbox, readOnly: true)
        let last = uidNext
        uidNext = opened.uidNext
        if let last, let now = opened.uidNext, now > last { return true }
        switch try await client.idle(timeout: timeout, clock: clock) {
        case .timedOut:
            return false
        case .changed(let updates):
            return updates.contains { if case .exists = $0 { true } else { false } }
        }
    }
}
