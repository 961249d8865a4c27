import AutoDiscovery
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a ``RolloutAudit`` found: per account its settings, each checklist step and what its
/// owner must do; a summary by what stands in the way; a section per provider documenting its
/// servers; and checklists for the users and for the administrator. ``markdown`` renders it for
/// people; the value is `Encodable` for programs (`linkmail audit --json FILE`).
public struct RolloutReport: Sendable, Encodable {
    /// Where the accounts came from (the list's file name).
    public var source: String
    /// When the audit ran.
    public var date: Date
    /// Every account, in the list's order.
    public var accounts: [AccountOutcome]

    /// A report.
    public init(source: String, date: Date, accounts: [AccountOutcome]) {
        self.source = source
        self.date = date
        self.accounts = accounts
    }

    /// What stands in the way of linking an account, as the summary groups them.
    public enum Category: String, Sendable, Codable, CaseIterable, Comparable {
        /// Every step passed, sign-in included.
        case ready
        /// The steps up to sign-in passed; no password was given, so sign-in was not tried.
        case noPassword = "no-password"
        /// The provider needs an app password (two-step verification) and the password was refused.
        case needsAppPassword = "needs-app-password"
        /// POP access must be switched on in the provider's settings, or the provider offers no POP.
        case needsPOPEnabled = "needs-pop-enabled"
        /// The provider accepts only OAuth 2.0 sign-in.
        case needsOAuth = "needs-oauth"
        /// The server could not be reached (name, connection, time-out).
        case unreachable
        /// Anything else: the diagnosis says what.
        case other

        /// The summary's heading.
        public var title: String {
            switch self {
            case .ready: "Ready"
            case .noPassword: "No password given (checked up to sign-in)"
            case .needsAppPassword: "Needs an app password"
            case .needsPOPEnabled: "Needs POP switched on"
            case .needsOAuth: "Needs OAuth 2.0 sign-in"
            case .unreachable: "Unreachable"
            case .other: "Other problems"
            }
        }

        public static func < (lhs: Category, rhs: Category) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A server's settings as the report documents them.
    public struct Server: Sendable, Hashable, Codable {
        public var host: String
        public var port: Int
        /// `tls`, `starttls` or `plain`.
        public var security: String
        public var user: String

        /// The report's form of `settings`.
        public init(_ settings: ServerSettings) {
            host = settings.host
            port = settings.port
            security = ServerSettings.name(of: settings.security)
            user = settings.user
        }

        /// `host:port security`.
        public var summary: String { "\(host):\(port) \(security)" }
    }

    /// One checklist step.
    public struct Step: Sendable, Hashable, Codable {
        public var name: String
        /// `PASS`, `FAIL` or `SKIP`.
        public var status: String
        public var detail: String

        /// The report's form of `step`.
        public init(_ step: ConnectionCheck.Step) {
            name = step.name
            status = step.skipped ? "SKIP" : step.passed ? "PASS" : "FAIL"
            detail = step.detail
        }
    }

    /// A diagnosis as the report keeps it.
    public struct Problem: Sendable, Hashable, Codable {
        public var stage: String
        public var summary: String
        public var serverText: String?
        public var suggestion: String

        init(_ diagnosis: LinkDiagnosis) {
            stage = diagnosis.stage.rawValue
            summary = diagnosis.summary
            serverText = diagnosis.serverText
            suggestion = diagnosis.suggestion
        }
    }

    /// One account's outcome.
    public struct AccountOutcome: Sendable, Encodable {
        public var address: String
        public var owner: String?
        /// Columns of the list the audit does not know, as given.
        public var extra: [String: String]
        /// Whether the list gave a password (else sign-in was not attempted).
        public var secretGiven: Bool
        /// The provider, for grouping: the incoming server's domain, else the address's.
        public var provider = ""
        /// Where the settings came from.
        public var origin: String?
        /// Why the settings need the owner's confirmation before a password is sent; empty when none.
        public var confirmationReasons: [String] = []
        /// What the provider's entry says.
        public var hints = ProviderHints.none
        public var incoming: Server?
        /// How mail would be fetched from ``incoming``.
        public var incomingProtocol = IncomingProtocol.pop3
        public var outgoing: Server?
        public var steps: [Step] = []
        /// Why the account is not ready; nil when every step attempted passed.
        public var problem: Problem?
        /// The diagnosis's stage, for the category.
        var stage: LinkDiagnosis.Stage?

        init(address: String, owner: String?, extra: [String: String], secretGiven: Bool) {
            self.address = address
            self.owner = owner
            self.extra = extra
            self.secretGiven = secretGiven
        }

        /// This outcome with `diagnosis` as its problem.
        func failed(_ diagnosis: LinkDiagnosis) -> AccountOutcome {
            var copy = self
            copy.problem = Problem(diagnosis)
            copy.stage = diagnosis.stage
            return copy
        }

        /// What stands in the way.
        public var category: Category {
            guard let stage else { return secretGiven ? .ready : .noPassword }
            switch stage {
            case .oauthRequired, .signInAgain: return .needsOAuth
            case .popDisabled: return hints.popUnavailable ? .other : .needsPOPEnabled
            case .authentication where hints.requiresOAuth: return .needsOAuth
            case .authentication where hints.requiresAppPassword: return .needsAppPassword
            case .nameResolution, .connection, .timeout: return .unreachable
            default: return .other
            }
        }

        /// What the owner must do before the account can be linked, in order.
        public var ownerActions: [String] {
            var actions: [String] = []
            switch category {
            case .ready:
                break
            case .noPassword:
                actions.append("Give the password for \(address) (or an app password, where the provider needs one).")
            case .needsAppPassword:
                actions.append(
                    "Create an app password" + (hints.appPasswordURL.map { " at \($0)" } ?? "")
                        + " and give it instead of the account password.")
            case .needsPOPEnabled:
                actions.append("Switch POP access on in the mailbox's settings" + (hints.enableURL.map { " (\($0))" } ?? "") + ".")
            case .needsOAuth:
                actions.append("Sign in with the provider's own page (OAuth 2.0) when the account is linked; a password cannot work.")
            case .unreachable, .other:
                if let problem { actions.append(problem.suggestion) }
            }
            if hints.requiresAppPassword, category == .ready || category == .noPassword {
                actions.append(
                    "With two-step verification on, use an app password"
                        + (hints.appPasswordURL.map { " (\($0))" } ?? "") + ".")
            }
            if !confirmationReasons.isEmpty {
                actions.append("Confirm the discovered settings before linking: " + confirmationReasons.joined(separator: "; ") + ".")
            }
            return actions
        }

        private enum CodingKeys: String, CodingKey {
            case address, owner, extra, secretGiven, provider, origin, confirmationReasons, hints, incoming,
                incomingProtocol, outgoing,
                steps, problem, category, ownerActions
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(address, forKey: .address)
            try container.encodeIfPresent(owner, forKey: .owner)
            try container.encode(extra, forKey: .extra)
            try container.encode(secretGiven, forKey: .secretGiven)
            try container.encode(provider, forKey: .provider)
            try container.encodeIfPresent(origin, forKey: .origin)
            try container.encode(confirmationReasons, forKey: .confirmationReasons)
            try container.encode(hints, forKey: .hints)
            try container.encodeIfPresent(incoming, forKey: .incoming)
            try container.encode(incomingProtocol, forKey: .incomingProtocol)
            try container.encodeIfPresent(outgoing, forKey: .outgoing)
            try container.encode(steps, forKey: .steps)
            try container.encodeIfPresent(problem, forKey: .problem)
            try container.encode(category, forKey: .category)
            try container.encode(ownerActions, forKey: .ownerActions)
        }
    }

    /// How many providers a pilot should cover before the roll-out.
    public static let pilotProviders = 3

    /// The accounts by category, categories in the summary's order.
    public var byCategory: [(Category, [AccountOutcome])] {
        Category.allCases.compactMap { category in
            let accounts = accounts.filter { $0.category == category }
            return accounts.isEmpty ? nil : (category, accounts)
        }
    }

    /// The distinct providers, sorted.
    public var providers: [String] { Array(Set(accounts.map(\.provider).filter { !$0.isEmpty })).sorted() }

    /// A warning when the accounts cover fewer than ``pilotProviders`` providers, else nil.
    public var pilotWarning: String? {
        let count = providers.count
        guard count < Self.pilotProviders else { return nil }
        return "These accounts cover \(count) provider\(count == 1 ? "" : "s"). Pilot on at least "
            + "\(Self.pilotProviders) accounts at different providers before the roll-out: each provider "
            + "has its own settings, app-password rules and limits."
    }

    /// The provider's name for a server host: its last two labels (`pop.gmail.com` → `gmail.com`).
    static func providerName(ofHost host: String) -> String {
        if host.first?.isNumber == true || host.contains(":") { return host }  // an address literal
        let labels = host.lowercased().split(separator: ".")
        return labels.count <= 2 ? host.lowercased() : labels.suffix(2).joined(separator: ".")
    }
}

extension RolloutReport {
    /// The report for people.
    public var markdown: String {
        var lines = ["# MailLink roll-out audit", ""]
        let date = self.date.formatted(.iso8601)
        lines.append("\(accounts.count) accounts from `\(source)`, checked \(date).")
        lines.append("")
        if let pilotWarning { lines += ["> **Pilot:** \(pilotWarning)", ""] }

        lines += ["## Summary", "", "| | accounts |", "| --- | --- |"]
        for (category, members) in byCategory {
            lines.append("| \(category.title) | \(members.count): \(members.map(\.address).map(Self.cell).joined(separator: ", ")) |")
        }
        lines.append("")

        lines += ["## Providers", ""]
        for provider in providers {
            let members = accounts.filter { $0.provider == provider }
            lines.append("### \(provider)")
            lines.append("")
            let incoming = Set(members.compactMap { member in
                member.incoming.map { "\(member.incomingProtocol.rawValue.uppercased()) \($0.summary)" }
            }).sorted()
            let outgoing = Set(members.compactMap(\.outgoing).map(\.summary)).sorted()
            let origins = Set(members.compactMap(\.origin)).sorted()
            lines.append("- incoming: " + (incoming.isEmpty ? "not found" : incoming.map { "`\($0)`" }.joined(separator: ", ")))
            lines.append("- outgoing (SMTP): " + (outgoing.isEmpty ? "not found" : outgoing.map { "`\($0)`" }.joined(separator: ", ")))
            if !origins.isEmpty { lines.append("- settings from: " + origins.joined(separator: "; ")) }
            if let hints = members.first?.hints {
                if hints.requiresOAuth { lines.append("- sign-in: OAuth 2.0 only") }
                if hints.requiresAppPassword {
                    lines.append("- app password needed with two-step verification" + (hints.appPasswordURL.map { ": \($0)" } ?? ""))
                }
                if let page = hints.enableURL { lines.append("- POP is switched on at \(page)") }
            }
            lines.append("- accounts: " + members.map(\.address).joined(separator: ", "))
            lines.append("")
        }

        lines += ["## Accounts", ""]
        for account in accounts {
            lines.append("### \(account.address)")
            lines.append("")
            if let owner = account.owner { lines.append("- owner: \(owner)") }
            lines.append("- result: \(account.category.title)")
            if let incoming = account.incoming {
                lines.append("- \(account.incomingProtocol.rawValue.uppercased()): `\(incoming.summary)`, user `\(incoming.user)`")
            }
            if let outgoing = account.outgoing { lines.append("- SMTP: `\(outgoing.summary)`, user `\(outgoing.user)`") }
            if let origin = account.origin { lines.append("- settings from: \(origin)") }
            for (column, value) in account.extra.sorted(by: { $0.key < $1.key }) { lines.append("- \(column): \(value)") }
            if !account.steps.isEmpty {
                lines += ["", "```"] + account.steps.map { "\($0.status) \($0.name): \($0.detail)" } + ["```"]
            }
            if let problem = account.problem {
                lines += ["", "**Problem** (\(problem.stage)): \(problem.summary)"]
                if let text = problem.serverText { lines.append("The server said: `\(text)`") }
            }
            let actions = account.ownerActions
            if !actions.isEmpty {
                lines += ["", "What \(account.owner ?? "the owner") must do:"] + actions.map { "- \($0)" }
            }
            lines.append("")
        }

        lines += ["## Checklist for users", ""] + userChecklist.map { "- [ ] \($0)" } + [""]
        lines += ["## Checklist for the administrator", ""] + adminChecklist.map { "- [ ] \($0)" } + [""]
        return lines.joined(separator: "\n")
    }

    /// What each user does before their mailbox is linked, from the providers present.
    public var userChecklist: [String] {
        var items = ["Have the mailbox's address and password ready; give them only in the linking form."]
        var seen = Set<String>()
        for account in accounts where seen.insert(account.provider).inserted {
            let hints = account.hints
            if hints.requiresAppPassword {
                items.append(
                    "\(account.provider): with two-step verification on, create an app password"
                        + (hints.appPasswordURL.map { " at \($0)" } ?? "") + " and use it instead of the password.")
            }
            if let page = hints.enableURL {
                items.append("\(account.provider): switch POP access on at \(page).")
            }
            if hints.requiresOAuth {
                items.append("\(account.provider): sign in on the provider's own page when asked; no password is used.")
            }
        }
        items.append("Follow the link in the confirmation e-mail that arrives at each linked address.")
        items.append("If a check fails, copy the server's own words from the error into your request for help.")
        return items
    }

    /// What the administrator prepares, from the servers found.
    public var adminChecklist: [String] {
        var items: [String] = []
        let servers = Set(accounts.flatMap { [$0.incoming, $0.outgoing].compactMap { $0 } }.map { "\($0.host):\($0.port)" })
            .sorted()
        if !servers.isEmpty {
            items.append(
                "Let the machine that syncs open outgoing TCP connections to: " + servers.map { "`\($0)`" }.joined(separator: ", ")
                    + " (a firewall that drops them shows as a time-out, one that rejects them as \"connection refused\").")
        }
        items.append(
            "Where a provider or a company mail server allows POP or SMTP only from listed IP addresses, add the public address of the machine that syncs.")
        let appPasswordProviders = Set(accounts.filter(\.hints.requiresAppPassword).map(\.provider)).sorted()
        if !appPasswordProviders.isEmpty {
            items.append("Send the app-password instructions to the users of " + appPasswordProviders.joined(separator: ", ") + ".")
        }
        if accounts.contains(where: { $0.category == .needsOAuth }) {
            items.append("Register an OAuth 2.0 application with each OAuth-only provider; MailLink ships no one else's client id.")
        }
        if accounts.contains(where: { $0.problem?.stage == LinkDiagnosis.Stage.tls.rawValue }) {
            items.append(
                "A certificate was refused: never turn TLS off to test; install the server's issuing CA (--ca) or pin the certificate (--pin) once its fingerprint is confirmed with the server's operator.")
        }
        items.append("Pilot on at least \(Self.pilotProviders) accounts at different providers, then link the rest.")
        return items
    }

    /// `text` safe in a Markdown table cell.
    static func cell(_ text: String) -> String { text.replacing("|", with: "\\|") }
}
