import AccountLinking
import AutoDiscovery
import FolderRouting
import MailAuth
import MailMessage
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Hotmail flow on the command line: `init`, `add`, `confirm`, `resend`, `sync`, `accounts`,
/// `update`, `unlink`, `identities` and `compose`, each a thin layer over ``AccountLinking/AccountLinker``.
enum AccountCommands {
    /// `linkmail init --home DIR --primary ADDR <SMTP connection flags> [--verify-base-url URL]
    /// [--confirmation-expiry DURATION]`
    static func initialize(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ConnectionOptions.valueOptions.union(["home", "primary", "verify-base-url", "confirmation-expiry"]),
            flagOptions: ConnectionOptions.flagOptions)
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        guard let primaryText = arguments.value("primary") else {
            throw CommandLineArguments.UsageError("--primary ADDR is required")
        }
        let primary = try address(primaryText, option: "--primary")
        let connection = try ConnectionOptions(arguments)
        guard let password = connection.password else {
            throw CommandLineArguments.UsageError("the primary's password is required: --password-file FILE or LINKMAIL_PASSWORD")
        }
        let lifetime = try arguments.value("confirmation-expiry").map(duration) ?? 48 * 3600
        let config = Home.Config(
            primaryAddress: primary.description,
            outgoing: ServerSettings(
                host: connection.endpoint.host, port: connection.endpoint.port, security: connection.endpoint.security,
                user: connection.user ?? primary.description),
            confirmationBaseURL: arguments.value("verify-base-url") ?? "https://maillink.invalid/confirm",
            confirmationLifetimeSeconds: lifetime, connection: connection.policy)
        try home.save(config)
        try await home.setPrimarySecret(.password(password), for: primary)
        print("initialised \(home.directory) for \(primary)")
        return .success
    }

    /// `90s`, `30m`, `48h`, `2d` (or plain seconds) as seconds.
    static func duration(_ text: String) throws -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = text.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(text) : text.dropLast()
        guard let number = Int(digits), number > 0, number <= 365 * 86400 / (unit ?? 1) else {
            throw CommandLineArguments.UsageError("a duration is a number with s, m, h or d, such as 90s, 30m or 48h; not \(text)")
        }
        return number * (unit ?? 1)
    }

    static func address(_ text: String, option: String) throws -> EmailAddress {
        do { return try EmailAddress(text) } catch {
            throw CommandLineArguments.UsageError("\(option): \(text) is not an e-mail address (\(error))")
        }
    }

    static let destinationValues: Set<String> = ["folder", "marker", "after-days"]
    static let destinationFlags: Set<String> = ["inbox", "delete-from-server"]

    /// `--folder NAME|--inbox`, `--marker COLOR`, `--delete-from-server [--after-days N]`.
    static func choices(
        _ arguments: CommandLineArguments
    ) throws -> (destination: AccountLinker.Destination?, marker: MarkerColor?, copies: AccountLinker.CopiesOnServer?) {
        var destination: AccountLinker.Destination?
        if arguments.flag("inbox") {
            guard arguments.value("folder") == nil else { throw CommandLineArguments.UsageError("--inbox and --folder exclude each other") }
            destination = .inbox
        } else if let name = arguments.value("folder") {
            do { destination = .folder(try Folder(path: name)) } catch {
                throw CommandLineArguments.UsageError("--folder: \(error)")
            }
        }
        var marker: MarkerColor?
        if let name = arguments.value("marker") {
            guard let color = MarkerColor(name) else {
                throw CommandLineArguments.UsageError(
                    "--marker must be one of \(MarkerColor.palette.compactMap(\.name).joined(separator: ", ")) or #RRGGBB")
            }
            marker = color
        }
        var copies: AccountLinker.CopiesOnServer?
        if arguments.flag("delete-from-server") {
            copies = try arguments.integer("after-days", in: 1...3650).map { .deleteAfter(days: $0) } ?? .delete
        } else if arguments.value("after-days") != nil {
            throw CommandLineArguments.UsageError("--after-days goes with --delete-from-server")
        }
        return (destination, marker, copies)
    }

    /// `linkmail add ADDRESS --home DIR [--password-file FILE] [--server … --security … --user …]
    /// [--smtp HOST:PORT --smtp-security …] [--ca FILE] [--pin SHA256] [--timeout SECONDS]
    /// [--insecure-allow-plaintext] [--accept-discovered] [--folder NAME|--inbox] [--marker COLOR]
    /// [--delete-from-server [--after-days N]] [--oauth device|browser --oauth-client-id ID
    /// [--oauth-client-secret-file FILE] [--oauth-issuer URL]] [--protocol imap|pop3 [--mailbox NAME]…
    /// [--all-mailboxes] [--keep-folders]]`
    static func add(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ConnectionOptions.valueOptions.union(destinationValues).union([
                "home", "smtp", "smtp-security", "dns", "autoconfig-base", "ispdb",
            ]).union(OAuthOptions.valueOptions).union(IncomingOptions.valueOptions),
            flagOptions: ConnectionOptions.flagOptions.union(destinationFlags).union([
                "offline", "probe", "accept-discovered",
            ]).union(IncomingOptions.flagOptions))
        let address = try address(try arguments.requirePositionals(["ADDRESS"])[0], option: "ADDRESS")
        let home = try Home(arguments)
        var options = AccountLinker.LinkOptions()
        options.connection = try ConnectionOptions.policy(arguments)
        options.acceptDiscoveredSettings = arguments.flag("accept-discovered")
        let incoming = try IncomingOptions(arguments)
        options.incomingProtocol = incoming.incomingProtocol
        options.imap = incoming.imap
        let oauth = try OAuthOptions.signIn(arguments, tlsPolicy: options.connection.tlsPolicy)
        let secret = try ConnectionOptions.secret(arguments)
        if oauth == nil, secret == nil {
            throw CommandLineArguments.UsageError(
                "a password is required: --password-file FILE or LINKMAIL_PASSWORD (or --oauth device|browser)")
        }
        if oauth != nil, arguments.value("password-file") != nil {
            throw CommandLineArguments.UsageError("give --password-file or --oauth, not both")
        }
        let user = arguments.value("user") ?? address.description
        if arguments.value("server") != nil {
            let connection = try ConnectionOptions(arguments)
            options.incoming = ServerSettings(
                host: connection.endpoint.host, port: connection.endpoint.port, security: connection.endpoint.security,
                user: user)
        }
        if let smtp = arguments.value("smtp") {
            let security = try ConnectionOptions.security(arguments.value("smtp-security"), option: "--smtp-security")
            guard let endpoint = Endpoint(parsing: smtp, security: security) else {
                throw CommandLineArguments.UsageError("--smtp must be HOST:PORT")
            }
            options.outgoing = ServerSettings(host: endpoint.host, port: endpoint.port, security: endpoint.security, user: user)
        }
        let (destination, marker, copies) = try choices(arguments)
        if let destination { options.destination = destination }
        if let marker { options.marker = marker }
        if let copies { options.copies = copies }

        // Without --server, the settings are discovered (bundled table, autoconfig, DNS, probing).
        let discover =
            options.incoming == nil
            ? SettingsDiscovery.using(AutoDiscoverer(configuration: try DiscoverCommand.makeConfiguration(arguments)))
            : nil
        // The registration is kept (mode 0600) so later syncs can refresh with its secret.
        if let oauth { try home.saveRegistration(oauth.registration) }
        let (linker, store) = try await home.makeLinker(discover: discover)
        var status = ExitStatus.failure
        let steps =
            if let oauth {
                await linker.link(address: address, oauth: oauth, options: options)
            } else {
                await linker.link(address: address, secret: secret ?? .password(""), options: options)
            }
        for await step in steps {
            switch step {
            case .needsManualSettings, .confirmationNotSent, .settingsNeedApproval: printError(step.description)
            default: print(step.description)
            }
            fflush(nil)  // the code to enter or the URL to open must show now, also through a pipe
            if case .awaitingConfirmation = step { status = .success }
            if case .updated = step { status = .success }
        }
        await store.close()
        return status
    }

    /// `linkmail confirm LINK-OR-CODE --home DIR [--address ADDR] [--deliver lmtp://HOST:PORT --recipient TEMPLATE]`:
    /// the first sync goes where `sync` would put it (the home's Maildir, or a mail server over LMTP).
    static func confirm(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ["home", "address", "deliver", "recipient"], flagOptions: [])
        let link = try arguments.requirePositionals(["LINK-OR-CODE"])[0]
        let only = try arguments.value("address").map { try address($0, option: "--address") }
        let delivery = try SyncCommand.delivery(arguments)
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker(delivery: delivery)
        defer { Task { await store.close() } }
        do {
            let account = try await linker.confirm(link, address: only)
            print("confirmed \(account.address)")
            await linker.waitForPendingSyncs()
            if case .success(let report)? = await linker.lastSync[account.id] {
                print("fetched \(report.fetched) new messages (\(report.bytes) bytes) into \(account.folder)")
            } else if case .failure(let error)? = await linker.lastSync[account.id] {
                printError("the first sync failed:\n\(error.description)")
            }
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail resend ADDRESS --home DIR`
    static func resend(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: [])
        let address = try address(try arguments.requirePositionals(["ADDRESS"])[0], option: "ADDRESS")
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            try await linker.resendConfirmation(for: address)
            print("confirmation sent to \(address)")
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail unlink ADDRESS --home DIR [--delete-mail]`
    static func unlink(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: ["delete-mail"])
        let address = try address(try arguments.requirePositionals(["ADDRESS"])[0], option: "ADDRESS")
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            let account = try await linker.unlink(address, deletingMail: arguments.flag("delete-mail"))
            print(
                "unlinked \(account.address)"
                    + (arguments.flag("delete-mail") ? "; its mail was removed" : "; its mail stays in \(account.folder)"))
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail update ADDRESS --home DIR [--password-file FILE] [--folder NAME|--inbox]
    /// [--marker COLOR] [--keep-copies | --delete-from-server [--after-days N]]
    /// [--protocol imap|pop3 [--server HOST:PORT [--security tls|starttls|plain] [--user NAME]]
    /// [--mailbox NAME]… [--all-mailboxes] [--keep-folders] [--offline] [--dns HOST:PORT] …]
    /// [--ca FILE]… [--pin SHA256]…`: without `--server`, a new protocol's server is discovered;
    /// `--ca` and `--pin` replace the account's extra trust (the new server's certificate may differ).
    static func update(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: destinationValues.union(["home", "password-file", "server", "security", "user"])
                .union(IncomingOptions.valueOptions).union(["dns", "autoconfig-base", "ispdb", "ca", "pin"]),
            flagOptions: destinationFlags.union(["keep-copies", "offline", "probe"]).union(IncomingOptions.flagOptions))
        let address = try address(try arguments.requirePositionals(["ADDRESS"])[0], option: "ADDRESS")
        let home = try Home(arguments)
        var (destination, marker, copies) = try choices(arguments)
        if arguments.flag("keep-copies") {
            guard copies == nil else { throw CommandLineArguments.UsageError("--keep-copies and --delete-from-server exclude each other") }
            copies = .keep
        }
        let secret = try arguments.value("password-file") == nil ? nil : ConnectionOptions.secret(arguments)
        let incoming = try IncomingOptions(arguments)
        if arguments.value("server") != nil || arguments.value("security") != nil || arguments.value("user") != nil,
            incoming.incomingProtocol == nil
        {
            throw CommandLineArguments.UsageError("--server, --security and --user go with --protocol imap|pop3")
        }
        let trust = !arguments.values("ca").isEmpty || !arguments.values("pin").isEmpty
        guard destination != nil || marker != nil || copies != nil || secret != nil || incoming.incomingProtocol != nil
            || trust
        else {
            throw CommandLineArguments.UsageError(
                "nothing to change: give --password-file, --folder, --inbox, --marker, --keep-copies, --delete-from-server, --protocol, --ca or --pin")
        }
        var change = AccountLinker.AccountChange(destination: destination, marker: marker, copies: copies)
        if let incomingProtocol = incoming.incomingProtocol {
            change.incomingProtocol = incomingProtocol
            if incomingProtocol == .imap { change.imap = incoming.imap }
            if let server = arguments.value("server") {
                let security = try ConnectionOptions.security(arguments.value("security"), option: "--security")
                guard let endpoint = Endpoint(parsing: server, security: security) else {
                    throw CommandLineArguments.UsageError("--server must be HOST:PORT, not \(server)")
                }
                change.incoming = ServerSettings(
                    host: endpoint.host, port: endpoint.port, security: endpoint.security,
                    user: arguments.value("user") ?? address.description)
            }
        }
        let discover =
            change.incomingProtocol != nil && change.incoming == nil
            ? SettingsDiscovery.using(AutoDiscoverer(configuration: try DiscoverCommand.makeConfiguration(arguments)))
            : nil
        let (linker, store) = try await home.makeLinker(discover: discover)
        defer { Task { await store.close() } }
        do {
            if trust, var connection = try await linker.account(address)?.connection
            {
                let given = try ConnectionOptions.policy(arguments)
                (connection.caFiles, connection.pins) = (given.caFiles, given.pins)
                change.connection = connection
            }
            // A new password is checked against the server the account will use.
            if let secret, change.incomingProtocol == nil { try await linker.changeSecret(secret, for: address) }
            var account = try await linker.update(address, change)
            if let secret, change.incomingProtocol != nil {
                try await linker.changeSecret(secret, for: address)
                account = try await linker.account(address) ?? account
            }
            print("updated \(account.address): \(AccountsCommand.line(account))")
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail identities --home DIR [--default ADDR]`
    static func identities(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home", "default"], flagOptions: [])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let chosen = try arguments.value("default").map { try address($0, option: "--default") }
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            if let chosen { try await linker.setDefaultIdentity(chosen) }
            for identity in try await linker.identities() {
                print("\(identity.isDefault ? "*" : " ") \(identity.address)  (\(identity.route.rawValue))")
            }
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail compose --home DIR [--from ADDR] --to … [--subject …] [--body-file …]`
    static func compose(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ["home", "from", "to", "subject", "body-file"], flagOptions: [])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let recipients = try arguments.values("to").flatMap { $0.split(separator: ",").map(String.init) }
            .map { text in
                do { return try Mailbox(text) } catch {
                    throw CommandLineArguments.UsageError("--to: \(text) is not an address (\(error))")
                }
            }
        guard !recipients.isEmpty else { throw CommandLineArguments.UsageError("--to ADDR[,ADDR…] is required") }
        let from = try arguments.value("from").map { try address($0, option: "--from") }
        var body = ""
        if let file = arguments.value("body-file") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandLineArguments.UsageError("cannot read --body-file \(file)")
            }
            body = text
        }
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            var message = try await linker.newMessage(from: from)
            message.to = recipients
            message.subject = arguments.value("subject") ?? ""
            message.textBody = body
            try await linker.send(message)
            print("sent 1 message as \(message.from.address)")
            return .success
        } catch let error as LinkDiagnosisError {
            printError(error.description)
            return .failure
        } catch {
            printError(LinkDiagnosis(error).description)
            return .failure
        }
    }
}
