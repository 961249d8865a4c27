import AutoDiscovery
import MailAuth
import MailMessage
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The roll-out audit: before mailboxes are linked for many people, check each one (discovery, or
/// the settings given, then the troubleshooting checklist) and document what was found and what
/// each owner must do first, as a ``RolloutReport``.
///
/// A roll-out goes in steps: gather the addresses and their owners; ask each owner whether POP is
/// switched on and, where the provider needs one, an app password is ready; pilot on at least
/// three accounts at different providers; document the server settings; then link the rest. The
/// report serves each step: its summary sorts the accounts by what stands in the way, its
/// provider sections document server names, ports and security, and it ends with checklists for
/// the users and for the administrator.
///
/// An account without a secret is checked up to sign-in and no sign-in is attempted: a failed
/// login at a real provider counts towards locking the account.
public struct RolloutAudit: Sendable {
    /// One account to check: a row of the roll-out list.
    public struct Account: Sendable {
        /// The address, as written in the list.
        public var address: String
        /// Who the mailbox belongs to, as written in the list.
        public var owner: String?
        /// The password or app password; nil checks every step up to sign-in.
        public var secret: Credentials.Secret?
        /// The incoming server when the list gives it (else it is discovered).
        public var incoming: ServerSettings?
        /// The incoming protocol the list asks for: `pop3` or `imap`; empty takes what discovery
        /// chose (IMAP when offered), and POP3 for a server given in the list.
        public var mailProtocol: String?
        /// Columns of the list that the audit does not know, kept in the report.
        public var extra: [String: String]

        /// An account to check.
        public init(
            address: String, owner: String? = nil, secret: Credentials.Secret? = nil, incoming: ServerSettings? = nil,
            mailProtocol: String? = nil, extra: [String: String] = [:]
        ) {
            self.address = address
            self.owner = owner
            self.secret = secret
            self.incoming = incoming
            self.mailProtocol = mailProtocol
            self.extra = extra
        }
    }

    /// Finds settings for an address (``SettingsDiscovery/using(_:offering:)`` over AutoDiscovery); nil
    /// means every account must give its server.
    public var discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)?
    /// What is known about a provider before anything is sent (the bundled table by default).
    public var providerHints: @Sendable (EmailAddress) -> ProviderHints
    /// How servers are trusted.
    public var tlsPolicy: TLSPolicy
    /// Time limits for every connection of the checklist.
    public var timeouts: Timeouts
    /// How connections are opened (a fake in tests).
    public var connector: any MailConnector
    /// At most this many accounts are checked at once.
    public var concurrency: Int
    /// The current time, for the report's date.
    public var now: @Sendable () -> Date

    /// An audit with these settings.
    public init(
        discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)?,
        providerHints: @escaping @Sendable (EmailAddress) -> ProviderHints = SettingsDiscovery.bundledHints,
        tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .all(.seconds(15)),
        connector: any MailConnector = SocketConnector(), concurrency: Int = 4,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.discover = discover
        self.providerHints = providerHints
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
        self.connector = connector
        self.concurrency = max(1, concurrency)
        self.now = now
    }

    /// Progress while the audit runs: `done` of `total` accounts checked, the last being `address`.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int, _ address: String) -> Void

    /// Checks every account, at most ``concurrency`` at once, and returns the report, its
    /// accounts in the list's order.
    public func run(_ accounts: [Account], source: String, progress: Progress = { _, _, _ in }) async -> RolloutReport {
        var outcomes = [RolloutReport.AccountOutcome?](repeating: nil, count: accounts.count)
        await withTaskGroup(of: (Int, RolloutReport.AccountOutcome).self) { group in
            var next = 0
            func startNext() {
                guard next < accounts.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.check(accounts[index])) }
            }
            for _ in 0..<concurrency { startNext() }
            var done = 0
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                done += 1
                progress(done, accounts.count, outcome.address)
                startNext()
            }
        }
        return RolloutReport(source: source, date: now(), accounts: outcomes.compactMap { $0 })
    }

    /// Checks one account.
    public func check(_ account: Account) async -> RolloutReport.AccountOutcome {
        var outcome = RolloutReport.AccountOutcome(
            address: account.address, owner: account.owner, extra: account.extra, secretGiven: account.secret != nil)
        let address: EmailAddress
        do {
            address = try EmailAddress(account.address)
        } catch {
            return outcome.failed(LinkDiagnosis(
                stage: .other, summary: "\(account.address) is not a valid address (\(error))",
                suggestion: "Correct the address in the list."))
        }
        let hints = providerHints(address)
        let advice = ProviderAdvice(hints)
        outcome.provider = address.domain
        var wanted: IncomingProtocol?
        if let text = account.mailProtocol?.lowercased(), !text.isEmpty {
            guard let parsed = IncomingProtocol(named: text) else {
                return outcome.failed(LinkDiagnosis(
                    stage: .other, summary: "the protocol \(text) is not one MailLink links",
                    suggestion: "Write pop3 or imap in the protocol column, or leave it empty."))
            }
            wanted = parsed
        }
        var incomingProtocol = wanted ?? .pop3
        if account.secret != nil, hints.requiresOAuth {
            // A password cannot work here; trying it would only count as a failed login.
            outcome.hints = hints
            return outcome.failed(advice.oauthRequired(provider: address.domain))
        }
        var incoming = account.incoming
        var outgoing: ServerSettings?
        if incoming == nil {
            guard let discover else {
                return outcome.failed(LinkDiagnosis(
                    stage: .discovery, summary: "no server is given for \(account.address) and discovery is off",
                    suggestion: "Give the server in the list, or turn discovery on."))
            }
            do {
                let found = try await discover(address)
                switch wanted {
                case .pop3?: incoming = found.pop3
                case .imap?: incoming = found.imap
                case nil: (incoming, incomingProtocol) = (found.incoming, found.incomingProtocol)
                }
                guard incoming != nil else {
                    outcome.hints = found.hints == .none ? hints : found.hints
                    if wanted == .pop3 {
                        outcome.hints.popUnavailable = true
                        return outcome.failed(ProviderAdvice(outcome.hints).noPOP3(provider: address.domain))
                    }
                    return outcome.failed(LinkDiagnosis(
                        stage: .discovery, summary: "\(address.domain) offers no \(wanted.map { $0.rawValue.uppercased() } ?? "incoming") server",
                        suggestion: "Leave the protocol column empty to use what the provider offers."))
                }
                outgoing = found.outgoing
                outcome.origin = found.origin
                outcome.confirmationReasons = found.confirmationReasons
                outcome.hints = found.hints == .none ? hints : found.hints
            } catch {
                outcome.hints = hints
                // Discovery's own diagnoses already carry the provider's advice.
                return outcome.failed(error is LinkDiagnosisError ? LinkDiagnosis(error) : advice.refine(LinkDiagnosis(error)))
            }
        } else {
            outcome.origin = "given in the list"
            outcome.hints = hints
        }
        guard let incoming else { return outcome }
        outcome.incoming = RolloutReport.Server(incoming)
        outcome.incomingProtocol = incomingProtocol
        outcome.outgoing = outgoing.map(RolloutReport.Server.init)
        outcome.provider = RolloutReport.providerName(ofHost: incoming.host)
        var check = ConnectionCheck(
            incoming: incoming, outgoing: outgoing, tlsPolicy: tlsPolicy, timeouts: timeouts, connector: connector)
        check.sendingAs = address.description
        check.incomingProtocol = incomingProtocol
        let (steps, diagnosis) = await check.run(secret: account.secret)
        outcome.steps = steps.map(RolloutReport.Step.init)
        if let diagnosis { return outcome.failed(ProviderAdvice(outcome.hints).refine(diagnosis)) }
        return outcome
    }
}
