/// The replies one mail transaction has collected so far, and what they mean (RFC 5321 §3.3):
/// the MAIL reply, one reply per RCPT, and from them the reason a transaction cannot deliver.
///
/// Shared by ``SMTPStateMachine`` (one transaction at a time) and ``SMTPBurstStateMachine``
/// (several, pipelined), so both judge refusals the same way.
struct SMTPTransactionReplies: Sendable {
    var envelope: SMTPEnvelope
    var mailReply: SMTPReply?
    var recipientReplies: [SMTPReply] = []

    init(envelope: SMTPEnvelope) {
        self.envelope = envelope
    }

    var mailAccepted: Bool { mailReply?.isPositiveCompletion == true }
    var anyRecipientAccepted: Bool { recipientReplies.contains { $0.isPositiveCompletion } }
    /// Whether the server can deliver: MAIL accepted and at least one recipient.
    var canDeliver: Bool { mailAccepted && anyRecipientAccepted }

    /// Why the transaction cannot deliver, judged from the replies so far; `dataReply` is the
    /// failing reply to DATA or BDAT, when the envelope itself was fine.
    func envelopeFailure(dataReply: SMTPReply?) -> SMTPError {
        if let mailReply, !mailReply.isPositiveCompletion {
            return SMTPError.classify(mailReply, during: .mail, address: envelope.sender?.address)
        }
        if !recipientReplies.isEmpty, !anyRecipientAccepted,
            let index = recipientReplies.firstIndex(where: { !$0.isPositiveCompletion })
        {
            var error = SMTPError.classify(
                recipientReplies[index], during: .recipient, address: envelope.recipients[index].address)
            if error.code == .recipientRefused { error.detail = "the server refused every recipient" }
            return error
        }
        if let dataReply { return SMTPError.classify(dataReply, during: .data) }
        return SMTPError(.malformedReply, detail: "the transaction ended without a reason")
    }

    /// The per-recipient outcome with the reply that ended the message.
    func result(finalReply: SMTPReply) -> SMTPSendResult {
        SMTPSendResult(
            recipients: zip(envelope.recipients, recipientReplies).map {
                SMTPSendResult.RecipientOutcome(recipient: $0, reply: $1)
            },
            finalReply: finalReply)
    }
}

extension SMTPCapabilities {
    /// The `MAIL FROM` parameters for a message, or why it cannot be sent to this server at all,
    /// decided before anything is written: a message larger than SIZE (RFC 1870 §4), non-ASCII
    /// addresses without SMTPUTF8 (RFC 6531), 8-bit data without 8BITMIME or SMTPUTF8 (RFC 6152).
    func mailParameters(
        for envelope: SMTPEnvelope, messageSize: Int, has8BitData: Bool
    ) -> Result<[SMTPParameter], SMTPError> {
        if let limit = maximumMessageSize, messageSize > limit {
            return .failure(
                SMTPError(
                    .messageTooLarge,
                    detail: "the message has \(messageSize) octets; the server accepts at most \(limit)"))
        }
        if envelope.requiresSMTPUTF8, !supportsSMTPUTF8 {
            return .failure(
                SMTPError(
                    .smtpUTF8NotSupported,
                    detail: "an address has non-ASCII characters and the server does not offer SMTPUTF8"))
        }
        if has8BitData, !supports8BitMIME, !supportsSMTPUTF8 {
            return .failure(
                SMTPError(
                    .eightBitNotSupported,
                    detail: "the message has 8-bit data and the server offers neither 8BITMIME nor SMTPUTF8"))
        }
        var parameters: [SMTPParameter] = []
        if supportsSize { parameters.append(.size(messageSize)) }
        if has8BitData, supports8BitMIME { parameters.append(.body8BitMIME) }
        // Without 8BITMIME, 8-bit data can only go as SMTPUTF8 content (RFC 6531 §3.4).
        if envelope.requiresSMTPUTF8 || has8BitData && !supports8BitMIME { parameters.append(.smtpUTF8) }
        return .success(parameters)
    }
}
