import MailMessage

extension SMTPEnvelope {
    /// The envelope for `message`: its Sender (the agent that submits, e.g. the primary account)
    /// or else its From address as the reverse path, and every To, Cc and
    /// Bcc address as a recipient (Bcc never appears in the message itself).
    ///
    /// Domains go in their ASCII (IDNA) form; a non-ASCII local part makes the envelope need SMTPUTF8.
    public init(message: OutgoingMessage) throws(SMTPError) {
        var recipients: [SMTPPath] = []
        for address in message.recipients { recipients.append(try SMTPPath(address.asciiString)) }
        try self.init(
            sender: try SMTPPath((message.sender ?? message.from).address.asciiString), recipients: recipients)
    }
}

extension MailSending {
    /// Builds `message` (RFC 5322 with MIME) and sends it to all its recipients.
    ///
    /// - Throws: ``SMTPError``, or `MessageError` when the message cannot be built
    ///   (for example a header value with a line break).
    public func send(_ message: OutgoingMessage) async throws -> SMTPSendResult {
        let envelope = try SMTPEnvelope(message: message)
        return try await send(envelope: envelope, message: try message.encoded())
    }
}
