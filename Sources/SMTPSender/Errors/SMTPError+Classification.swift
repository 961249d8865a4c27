extension SMTPError {
    /// The step of a session a failing reply answered, which decides how it is read.
    public enum Step: Sendable, Hashable {
        /// The greeting, EHLO or HELO.
        case greeting
        /// STARTTLS (RFC 3207).
        case startTLS
        /// AUTH and its challenges (RFC 4954).
        case authentication
        /// MAIL FROM.
        case mail
        /// RCPT TO.
        case recipient
        /// DATA, before or after the message (RFC 5321 §4.1.1.4).
        case data
        /// RSET, NOOP, QUIT.
        case other
    }

    /// The error a failing `reply` to a command of `step` means.
    ///
    /// Providers word the same problems in different ways; the enhanced status code decides
    /// first, then the reply code, then a few well-known phrases:
    /// - `534 5.7.9` → ``Code-swift.struct/applicationPasswordRequired`` (Google, Yahoo, iCloud),
    /// - `535 5.7.139`, `550 5.7.30`, "basic authentication is disabled/not supported"
    ///   → ``Code-swift.struct/oauthRequired`` (Microsoft 365),
    /// - `530 5.7.0` before MAIL → ``Code-swift.struct/authenticationRequired``,
    /// - `552`, `5.3.4`, `5.2.3` → ``Code-swift.struct/messageTooLarge`` (RFC 1870 §6, RFC 3463).
    public static func classify(_ reply: SMTPReply, during step: Step, address: String? = nil) -> SMTPError {
        let words = reply.text.lowercased()
        let status = reply.enhancedStatus
        func make(_ code: Code, _ detail: String) -> SMTPError {
            SMTPError(code, reply: reply, detail: detail, address: address)
        }
        if reply.code == 421 { return make(.serviceUnavailable, "the server is closing the connection") }
        if status == EnhancedStatusCode(5, 7, 9) || reply.code == 534 && words.contains("application-specific password")
        {
            return make(.applicationPasswordRequired, "the server requires an app password")
        }
        if status == EnhancedStatusCode(5, 7, 139) || status == EnhancedStatusCode(5, 7, 30)
            || words.contains("basic authentication") && (words.contains("disabled") || words.contains("not supported"))
        {
            return make(.oauthRequired, "the server no longer accepts password authentication")
        }
        if reply.code == 530
            || status == EnhancedStatusCode(5, 7, 0) && step != .authentication && words.contains("auth")
        {
            return make(.authenticationRequired, "the server requires authentication")
        }
        if reply.code == 552 || status == EnhancedStatusCode(5, 3, 4) || status == EnhancedStatusCode(5, 2, 3) {
            if step == .recipient, reply.code == 552, status == nil || status?.subject == 2 && status?.detail == 2 {
                // 552 to RCPT is "mailbox full" in practice (RFC 5321 §4.5.3.1.10 notes the overlap).
                return make(.recipientRefused, "the recipient was refused")
            }
            return make(.messageTooLarge, "the message is larger than the server accepts")
        }
        switch step {
        case .greeting:
            return make(reply.isTransientFailure ? .transient : .serviceUnavailable, "the server refused the session")
        case .startTLS:
            return make(.startTLSRefused, "the server refused to start TLS")
        case .authentication:
            if reply.isTransientFailure { return make(.transient, "authentication failed temporarily") }
            return make(.authenticationFailed, "the server rejected the credentials")
        case .mail:
            if reply.isTransientFailure { return make(.transient, "the sender was refused temporarily") }
            return make(.senderRefused, "the server refused the sender address")
        case .recipient:
            if reply.isTransientFailure { return make(.transient, "the recipient was refused temporarily") }
            return make(.recipientRefused, "the recipient was refused")
        case .data, .other:
            if reply.isTransientFailure { return make(.transient, "the server refused the message temporarily") }
            return make(.permanent, "the server refused the message")
        }
    }
}
