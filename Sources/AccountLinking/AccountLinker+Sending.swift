import FolderRouting
import MailMessage
import SMTPSender

extension AccountLinker {
    /// The addresses the user may send as: the primary first, then every confirmed account, with
    /// the default marked and how each one's mail is sent.
    public func identities() async throws -> [Identity] {
        let confirmed = try await configuration.accounts.accounts().filter { $0.status == .confirmed }
        let chosen = try await configuration.identities.defaultIdentity()
        var result = [Identity(address: configuration.primaryAddress, account: nil, isDefault: false, route: .primary)]
        result += confirmed.map { account in
            let route: Identity.Route =
                account.outgoing != nil
                ? .ownServer
                : configuration.sendAsFallback == .primaryServerWithSenderHeader ? .primaryWithSender : .unavailable
            return Identity(address: account.address, account: account.id, isDefault: false, route: route)
        }
        let defaultIndex = result.firstIndex { $0.account != nil && $0.account == chosen } ?? 0
        result[defaultIndex].isDefault = true
        return result
    }

    /// Chooses the default From (one of ``identities()``; nil: the primary).
    public func setDefaultIdentity(_ address: EmailAddress?) async throws {
        guard let address else {
            try await configuration.identities.setDefaultIdentity(nil)
            return
        }
        let identity = try await identity(for: address)
        try await configuration.identities.setDefaultIdentity(identity.account)
    }

    /// A new message whose From is `address` (nil: the default identity), ready for recipients,
    /// subject and body, then ``send(_:)``.
    public func newMessage(from address: EmailAddress? = nil) async throws -> OutgoingMessage {
        let identity = if let address { try await self.identity(for: address) } else { try await defaultIdentity() }
        return OutgoingMessage(from: Mailbox(address: identity.address))
    }

    /// Which identity a reply to a stored message should come from: the linked account it came
    /// from, else an identity it was addressed to (To or Cc), else the default.
    public func replyIdentity(for message: StoredMessage) async throws -> Identity {
        let identities = try await identities()
        if let origin = message.origin?.account,
            let identity = identities.first(where: { $0.account?.rawValue == origin })
        {
            return identity
        }
        let facts = MessageFacts(account: "", parsing: try await configuration.store.read(message.id))
        let addressed = Set((facts.to + facts.cc).compactMap { try? AccountID(parsing: $0) })
        if let identity = identities.first(where: { addressed.contains($0.id) }) { return identity }
        return identities.first(where: \.isDefault) ?? identities[0]
    }

    /// Sends `message` as its From, which must be one of ``identities()`` (a From that is not is
    /// an error, never silently replaced): through the address's own outgoing server, the
    /// primary's for the primary, or (only when ``Configuration/sendAsFallback`` allows it) the
    /// primary's with a `Sender:` header.
    @discardableResult
    public func send(_ message: OutgoingMessage) async throws -> SMTPSendResult {
        let identity = try await identity(for: message.from.address)
        var message = message
        let bytes: [UInt8]
        let envelope: SMTPEnvelope
        let sender: any MailSending
        switch identity.route {
        case .primary:
            sender = configuration.confirmationSender
        case .primaryWithSender:
            message.sender = Mailbox(address: configuration.primaryAddress)
            sender = configuration.confirmationSender
        case .ownServer:
            guard let id = identity.account, let account = try await configuration.accounts.account(id),
                let outgoing = account.outgoing
            else { throw sendingError("\(identity.address) has no outgoing server any more") }
            let secret = try await configuration.credentials.secret(for: id)
            sender = configuration.sessions.smtpSender(outgoing, secret: secret, policy: account.connection)
        case .unavailable:
            throw LinkDiagnosisError(LinkDiagnosis(
                stage: .sending, summary: "\(identity.address) has no outgoing server of its own",
                suggestion: "Add the address's outgoing (SMTP) server to its account. Sending it through "
                    + "\(configuration.primaryAddress)'s server is possible only if the application allows it, "
                    + "and receivers that check DMARC may reject such mail."))
        }
        let envelopeSender = identity.route == .primaryWithSender ? configuration.primaryAddress : identity.address
        envelope = try SMTPEnvelope(from: envelopeSender.description, to: message.recipients.map(\.description))
        bytes = try message.encoded()
        do {
            return try await sender.send(envelope: envelope, message: bytes)
        } catch let error as LinkDiagnosisError {
            throw error
        } catch {
            throw LinkDiagnosisError(LinkDiagnosis(error))
        }
    }

    private func defaultIdentity() async throws -> Identity {
        let identities = try await identities()
        return identities.first(where: \.isDefault) ?? identities[0]
    }

    private func identity(for address: EmailAddress) async throws -> Identity {
        let id = AccountID(address)
        guard let identity = try await identities().first(where: { $0.id == id }) else {
            throw sendingError("\(address) is not a confirmed address of this mailbox")
        }
        return identity
    }

    private func sendingError(_ summary: String) -> LinkDiagnosisError {
        LinkDiagnosisError(LinkDiagnosis(
            stage: .sending, summary: summary, suggestion: "Link and confirm the address before sending as it."))
    }
}
