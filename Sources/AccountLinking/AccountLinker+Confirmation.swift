import MailMessage
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AccountLinker {
    /// What a person handed to ``confirm(_:address:)``.
    enum ConfirmationInput: Sendable {
        case token(String)
        case code(String)

        init?(_ text: String) {
            let trimmed = text.trimmingWhiteSpace()
            if let token = ConfirmationSecret.token(inLink: trimmed) {
                self = .token(token)
            } else if let code = ConfirmationSecret.normalizedCode(trimmed) {
                self = .code(code)
            } else if trimmed.count >= 32, trimmed.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                self = .token(trimmed)  // the token alone, copied out of the link
            } else {
                return nil
            }
        }
    }

    enum ConfirmationOutcome: Sendable {
        case confirmed(LinkedAccount)
        case expired(AccountID)
        case rejected(remaining: Int?)
        case locked(AccountID)
        case unknown
    }

    /// Confirms ownership from a followed link, the token alone, or the short code, and starts
    /// syncing that account; its first sync reports through ``syncEvents()``.
    ///
    /// A code may be given with the `address` it was sent to; without it, the code is tried
    /// against every account waiting for confirmation (and a wrong code counts against each).
    /// - Returns: the confirmed account.
    /// - Throws: ``LinkDiagnosisError`` (stage `.confirmation`) for a link or code that is wrong,
    ///   used, expired or locked, saying what to do.
    @discardableResult
    public func confirm(_ linkOrCode: String, address: EmailAddress? = nil) async throws -> LinkedAccount {
        guard let input = ConfirmationInput(linkOrCode) else {
            throw confirmationError(
                "that is not a confirmation link or code",
                "Copy the whole link from the confirmation e-mail, or type its 8-character code.")
        }
        let now = configuration.now()
        let only = address.map(AccountID.init)
        let outcome = try await configuration.accounts.update { accounts -> ConfirmationOutcome in
            Self.confirm(input, in: &accounts, only: only, at: now)
        }
        switch outcome {
        case .confirmed(let account):
            logger.info("confirmed \(account.id)", metadata: ["account": account.id.rawValue])
            if let scheduler {
                await scheduler.accountChanged(account)
            } else {
                startSync(of: account)
            }
            return account
        case .expired(let id):
            throw confirmationError(
                "the confirmation for \(id) has expired", "Send a new confirmation e-mail and use its link or code.")
        case .locked(let id):
            throw confirmationError(
                "too many wrong codes were typed for \(id); its code no longer works",
                "Use the link in the e-mail, or send a new confirmation e-mail.")
        case .rejected(let remaining?):
            throw confirmationError(
                "that code is not right", "Check the code in the e-mail; \(remaining) more tries before it stops working.")
        case .rejected(nil), .unknown:
            throw confirmationError(
                "no account is waiting for this confirmation",
                "The link may be old, already used, or replaced by a newer e-mail; use the newest one, or send a new one.")
        }
    }

    /// The pure part of ``confirm(_:address:)``: checks `input` against the waiting accounts and
    /// changes the one it confirms (or the wrong-code counters).
    static func confirm(
        _ input: ConfirmationInput, in accounts: inout [LinkedAccount], only: AccountID?, at now: Date
    ) -> ConfirmationOutcome {
        let waiting = accounts.indices.filter {
            accounts[$0].status == .pending && accounts[$0].confirmation != nil && (only == nil || accounts[$0].id == only)
        }
        switch input {
        case .token(let token):
            guard let index = waiting.first(where: { accounts[$0].confirmation?.matches(token: token) == true }),
                let record = accounts[index].confirmation
            else { return .unknown }
            switch record.check(token: token, at: now) {
            case .accepted: return markConfirmed(&accounts[index], at: now)
            case .expired: return .expired(accounts[index].id)
            default: return .unknown
            }
        case .code(let code):
            if let index = waiting.first(where: { accounts[$0].confirmation?.matches(code: code) == true }),
                var record = accounts[index].confirmation
            {
                let verdict = record.check(code: code, at: now)
                accounts[index].confirmation = record
                switch verdict {
                case .accepted: return markConfirmed(&accounts[index], at: now)
                case .expired: return .expired(accounts[index].id)
                case .locked: return .locked(accounts[index].id)
                case .rejected(let remaining): return .rejected(remaining: remaining)
                }
            }
            guard !waiting.isEmpty else { return .unknown }
            var outcome = ConfirmationOutcome.unknown
            for index in waiting {
                guard var record = accounts[index].confirmation else { continue }
                let verdict = record.check(code: code, at: now)
                accounts[index].confirmation = record
                switch verdict {
                case .locked: outcome = .locked(accounts[index].id)
                case .rejected(let remaining): if case .unknown = outcome { outcome = .rejected(remaining: remaining) }
                default: break
                }
            }
            return outcome
        }
    }

    private static func markConfirmed(_ account: inout LinkedAccount, at now: Date) -> ConfirmationOutcome {
        account.status = .confirmed
        account.confirmation = nil
        account.confirmedAt = now
        return .confirmed(account)
    }

    /// Sends a new confirmation e-mail for an account that is not confirmed yet; every earlier
    /// link and code stops working. Repairs an account left as "confirmation not sent".
    /// - Throws: ``LinkDiagnosisError`` when the account is unknown or confirmed already, or the
    ///   e-mail could not be sent (the account is then "confirmation not sent").
    public func resendConfirmation(for address: EmailAddress) async throws {
        let id = AccountID(address)
        let secret = ConfirmationSecret()
        let record = ConfirmationRecord(
            secret: secret, issuedAt: configuration.now(), lifetime: configuration.confirmationLifetime)
        let account = try await configuration.accounts.update { accounts -> LinkedAccount? in
            guard let index = accounts.firstIndex(where: { $0.id == id }), accounts[index].status != .confirmed
            else { return nil }
            accounts[index].status = .pending
            accounts[index].confirmation = record
            return accounts[index]
        }
        guard let account else {
            if try await configuration.accounts.account(id) != nil {
                throw confirmationError("\(address) is confirmed already", "Nothing to do: it syncs and can be used as From.")
            }
            throw confirmationError("\(address) is not linked", "Link it first.")
        }
        do {
            try await sendConfirmationMessage(to: account, secret: secret)
        } catch {
            _ = try? await configuration.accounts.update { accounts in
                guard let index = accounts.firstIndex(where: { $0.id == id }), accounts[index].status != .confirmed
                else { return }
                accounts[index].status = .confirmationNotSent
                accounts[index].confirmation = nil
            }
            throw LinkDiagnosisError(LinkDiagnosis(error))
        }
    }
}
