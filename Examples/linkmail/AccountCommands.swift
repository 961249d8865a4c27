import AccountLinking
import AutoDiscovery
import FolderRouting
import Foundation
import MailMessage
import MailTransport

/// The Hotmail flow on the command line: `init`, `add`, `confirm`, `sync`, `accounts`,
/// `identities` and `compose`, each a thin layer over ``AccountLinking/AccountLinker``.
enum AccountCommands {
    /// `linkmail init --home DIR --primary ADDR <SMTP connection flags> [--verify-base-url URL]`
    static func initialize(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ConnectionOptions.valueOptions.union(["home", "primary", "verify-base-url"]),
            flagOptions: ConnectionOptions.flagOptions)
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        guard let primary = arguments.value("primary") else { throw CommandLineArguments.UsageError("--primary ADDR is required") }
        let connection = try ConnectionOptions(arguments)
        guard let password = connection.password else {
            throw CommandLineArguments.UsageError("the primary's password is required: --password-file FILE or LINKMAIL_PASSWORD")
        }
        let config = Home.Config(
            primaryAddress: primary,
            outgoing: ServerSettings(
                host: connection.endpoint.host, port: connection.endpoint.port, security: connection.endpoint.security,
                user: connection.user ?? primary),
            confirmationBaseURL: arguments.value("verify-base-url") ?? "https://maillink.invalid/confirm",
            caFiles: connection.tlsPolicy.additionalTrustedCAFiles,
            pins: connection.tlsPolicy.pinnedFingerprints.map(\.description),
            allowInsecureAuthentication: connection.allowsInsecurePlaintext,
            timeoutSeconds: Int(connection.timeouts.read.components.seconds))
        try home.save(config)
        try await home.credentials.setSecret(password, for: Home.primarySecretKey)
        print("initialised \(home.directory) for \(primary)")
        return .success
    }

    /// `linkmail add ADDRESS --home DIR [--password-file FILE] [--server … --security … --user …]
    /// [--smtp HOST:PORT --smtp-security …] [--folder NAME|--inbox] [--marker COLOR]
    /// [--delete-from-server [--after-days N]]`
    static func add(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ConnectionOptions.valueOptions.union([
                "home", "folder", "marker", "after-days", "smtp", "smtp-security", "dns", "autoconfig-base", "ispdb",
            ]),
            flagOptions: ConnectionOptions.flagOptions.union(["inbox", "delete-from-server", "offline", "probe"]))
        let address = try arguments.requirePositionals(["ADDRESS"])[0]
        let home = try Home(arguments)
        var options = AccountLinker.LinkOptions()
        let password: String
        if arguments.value("server") != nil {
            let connection = try ConnectionOptions(arguments)
            options.incoming = ServerSettings(
                host: connection.endpoint.host, port: connection.endpoint.port, security: connection.endpoint.security,
                user: connection.user ?? address)
            guard let secret = connection.password else {
                throw CommandLineArguments.UsageError("a password is required: --password-file FILE or LINKMAIL_PASSWORD")
            }
            password = secret
        } else {
            guard let secret = try ConnectionOptions.password(arguments) else {
                throw CommandLineArguments.UsageError("a password is required: --password-file FILE or LINKMAIL_PASSWORD")
            }
            password = secret
        }
        if let smtp = arguments.value("smtp") {
            let security = try ConnectionOptions.security(arguments.value("smtp-security"), option: "--smtp-security")
            guard let endpoint = Endpoint(parsing: smtp, security: security) else {
                throw CommandLineArguments.UsageError("--smtp must be HOST:PORT")
            }
            options.outgoing = ServerSettings(
                host: endpoint.host, port: endpoint.port, security: endpoint.security,
                user: arguments.value("user") ?? address)
        }
        if arguments.flag("inbox") {
            options.destination = .inbox
        } else if let name = arguments.value("folder") {
            do { options.destination = .folder(try Folder(path: name)) } catch {
                throw CommandLineArguments.UsageError("--folder: \(error)")
            }
        }
        if let name = arguments.value("marker") {
            guard let marker = MarkerColor.palette.first(where: { $0.name == name.lowercased() }) else {
                throw CommandLineArguments.UsageError(
                    "--marker must be one of \(MarkerColor.palette.compactMap(\.name).joined(separator: ", "))")
            }
            options.marker = marker
        }
        if arguments.flag("delete-from-server") {
            if let days = try arguments.integer("after-days", in: 1...3650) {
                options.deleteAfterDays = days
            } else {
                options.keepCopiesOnServer = false
            }
        } else if arguments.value("after-days") != nil {
            throw CommandLineArguments.UsageError("--after-days goes with --delete-from-server")
        }

        // Without --server, the settings are discovered (bundled table, autoconfig, DNS, probing).
        let discover = options.incoming == nil
            ? SettingsDiscovery.using(AutoDiscoverer(configuration: try DiscoverCommand.makeConfiguration(arguments)))
            : nil
        let (linker, store) = try await home.makeLinker(discover: discover)
        defer { Task { await store.close() } }
        var status = ExitStatus.failure
        for await step in await linker.link(address: address, secret: password, options: options) {
            if case .needsManualSettings(let diagnosis) = step {
                printError(diagnosis.description)
            } else {
                print(step.description)
            }
            if case .awaitingConfirmation = step { status = .success }
        }
        return status
    }

    /// `linkmail confirm LINK-OR-CODE --home DIR`
    static func confirm(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: [])
        let link = try arguments.requirePositionals(["LINK-OR-CODE"])[0]
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        do {
            let account = try await linker.confirm(link)
            print("confirmed \(account.address)")
            await linker.waitForPendingSyncs()
            await store.close()
            if case .success(let report)? = await linker.lastSync[account.id] {
                print("fetched \(report.fetched) new messages (\(report.bytes) bytes) into \(account.route.resolvedFolder)")
            } else if case .failure(let error)? = await linker.lastSync[account.id] {
                printError(error.description)
            }
            return .success
        } catch let error as LinkDiagnosisError {
            await store.close()
            printError(error.description)
            return .failure
        }
    }

    /// `linkmail sync --home DIR [--once] [--interval SECONDS]`
    static func sync(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home", "interval"], flagOptions: ["once"])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let interval = try arguments.integer("interval", in: 10...86400) ?? 300
        let (linker, store) = try await home.makeLinker()
        var status = ExitStatus.success
        repeat {
            let results = try await linker.syncAll()
            if results.isEmpty { print("no confirmed accounts to sync") }
            for (account, result) in results.sorted(by: { $0.key < $1.key }) {
                switch result {
                case .success(let report):
                    print("\(account): fetched \(report.fetched) new messages (\(report.bytes) bytes)")
                case .failure(let error):
                    printError("\(account):\n\(error.description)")
                    status = .failure
                }
            }
            if !arguments.flag("once") { try await Task.sleep(for: .seconds(interval)) }
        } while !arguments.flag("once")
        await store.close()
        return status
    }

    /// `linkmail accounts --home DIR`
    static func accounts(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: [])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let accounts = try await home.accounts.loadAccounts()
        if accounts.isEmpty { print("no linked accounts") }
        for account in accounts {
            let copies = account.keepCopiesOnServer
                ? (account.deleteAfterDays.map { "copies kept \($0) days" } ?? "copies kept") : "deleted from server"
            print("\(account.address)  folder \(account.route.resolvedFolder)  marker \(account.route.marker)  \(copies)  \(account.status.rawValue)  from \(account.incoming)")
        }
        return .success
    }

    /// `linkmail identities --home DIR [--default ADDR]`
    static func identities(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home", "default"], flagOptions: [])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            if let address = arguments.value("default") { try await linker.setDefaultIdentity(address) }
            for identity in try await linker.identities() {
                print("\(identity.isDefault ? "*" : " ") \(identity.address)")
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
        let recipients = arguments.values("to").flatMap { $0.split(separator: ",").map(String.init) }
        guard !recipients.isEmpty else { throw CommandLineArguments.UsageError("--to ADDR[,ADDR…] is required") }
        let config = try home.loadConfig()
        var message: OutgoingMessage
        do {
            message = OutgoingMessage(from: try Mailbox(config.primaryAddress))
            message.to = try recipients.map { try Mailbox($0) }
        } catch {
            throw CommandLineArguments.UsageError("invalid address: \(error)")
        }
        message.subject = arguments.value("subject") ?? ""
        if let file = arguments.value("body-file") {
            guard let body = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw CommandLineArguments.UsageError("cannot read --body-file \(file)")
            }
            message.textBody = body
        }
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        do {
            try await linker.send(message, from: arguments.value("from"))
            print("sent 1 message")
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
