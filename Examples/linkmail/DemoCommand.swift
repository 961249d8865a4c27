import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailOAuth
import MailTesting
import MailTransport
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail demo [--dir DIR]`: the whole Hotmail flow on built-in fake servers on loopback, with
/// real TCP and TLS (a throwaway CA made at start), no set-up and no account:
///
/// - a POP3 server (MailTesting's `FakePOP3Server`, implicit TLS) holds the mailbox to link;
/// - an SMTP server (`FakeSMTPServer`, STARTTLS + AUTH) is the primary mailbox's outgoing server;
///   what it accepts for the linked address is handed to the POP3 mailbox, as the Internet would;
/// - a second SMTP server (implicit TLS + AUTH) is the linked address's own outgoing server.
///
/// It links the account, reads the confirmation e-mail from the linked mailbox, follows its link,
/// lets the sync run into a Maildir, sends as the linked address, and ends with the four
/// acceptance checks. Exit status 0 only when all four pass.
///
/// With `--oauth`, the linked mailbox and its outgoing server accept only OAuth 2.0 tokens of a
/// fake authorization server (MailTesting's `FakeAuthorizationServer`, on loopback): the account
/// is linked with the device flow (the demo approves the code as the user would), sync and
/// sending use its tokens, and a fifth check lets the access token expire and sees it refreshed.
enum DemoCommand {
    static let linkedAddress = "you@linked.example"
    static let linkedPassword = "demo-app-password"
    static let primaryAddress = "me@primary.example"
    static let primaryPassword = "demo-primary-password"

    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["dir"], flagOptions: ["oauth"])
        let oauth = arguments.flag("oauth")
        _ = try arguments.requirePositionals([])
        let directory =
            arguments.value("dir")
            ?? FileManager.default.temporaryDirectory.appending(path: "linkmail-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        print("linkmail demo: everything below runs on loopback against built-in fake servers, over real TLS")
        print("working folder: \(directory)")

        // The servers.
        let authority = try TestCertificateAuthority(commonName: "linkmail demo CA")
        defer { authority.remove() }
        let certificate = try authority.issue()
        var authorizationConfiguration = FakeAuthorizationServer.Configuration()
        authorizationConfiguration.clientID = "linkmail-demo"
        authorizationConfiguration.user = linkedAddress
        authorizationConfiguration.deviceInterval = 1
        let authorization = try FakeAuthorizationServer(configuration: authorizationConfiguration)
        defer { authorization.close() }
        let linkedAccounts =
            oauth
            ? SASLServerAccounts(tokenValidator: authorization.tokenValidator)
            : SASLServerAccounts(passwords: [linkedAddress: linkedPassword])
        var pop3Configuration = FakePOP3Configuration()
        if oauth { pop3Configuration.saslMechanisms = ["XOAUTH2"] }
        let pop3 = FakePOP3Server(configuration: pop3Configuration, accounts: linkedAccounts)
        let originals: [FakePOP3Message] = [
            FakePOP3Message(uid: "demo-1", text: "From: Anna <anna@friends.example>\r\nTo: \(linkedAddress)\r\nSubject: Welcome to your old mailbox\r\nMessage-ID: <demo-1@friends.example>\r\n\r\nThis message waited on the old server.\r\n.A line that starts with a dot survives the trip.\r\n"),
            FakePOP3Message(uid: "demo-2", text: "From: =?UTF-8?B?0JHQvtGA0LjRgQ==?= <boris@friends.example>\r\nTo: \(linkedAddress)\r\nSubject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\nMessage-ID: <demo-2@friends.example>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nПривет! Cyrillic mail arrives byte for byte.\r\n"),
            FakePOP3Message(uid: "demo-3", text: "From: shop@store.example\r\nTo: \(linkedAddress)\r\nSubject: Your receipt\r\nMessage-ID: <demo-3@store.example>\r\n\r\nThank you for your order.\r\n"),
        ]
        for message in originals { pop3.deliver(message, to: linkedAddress) }
        let pop3Listener = try pop3.listen(certificate: certificate, implicitTLS: true)
        defer { pop3Listener.close() }

        let primarySMTP = FakeSMTPServer(configuration: .init(
            hostname: "smtp.primary.example", accounts: SASLServerAccounts(passwords: [primaryAddress: primaryPassword]),
            requiresAuthentication: true))
        let primaryListener = try LoopbackListener(certificate: certificate)
        defer { primaryListener.close() }
        let primaryTask = Task { await primarySMTP.serve(primaryListener) }
        defer { primaryTask.cancel() }

        let linkedSMTP = FakeSMTPServer(configuration: .init(
            hostname: "smtp.linked.example", offersStartTLS: false,
            accounts: linkedAccounts, authenticationMechanisms: oauth ? ["XOAUTH2"] : ["PLAIN", "LOGIN"],
            requiresAuthentication: true))
        let linkedListener = try LoopbackListener(certificate: certificate, implicitTLS: true)
        defer { linkedListener.close() }
        let linkedTask = Task { await linkedSMTP.serve(linkedListener) }
        defer { linkedTask.cancel() }

        print("fake POP3 server (TLS) for \(linkedAddress) on 127.0.0.1:\(pop3Listener.port) with \(originals.count) messages")
        print("fake SMTP server (STARTTLS) for \(primaryAddress) on 127.0.0.1:\(primaryListener.port)")
        print("fake SMTP server (TLS) for \(linkedAddress) on 127.0.0.1:\(linkedListener.port)")
        if oauth {
            print("fake OAuth 2.0 authorization server at \(authorization.issuer); both servers above take only its tokens")
        }

        // The linker, as a host application would set it up.
        let policy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile])
        let timeouts = Timeouts.all(.seconds(10))
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        let primary = try EmailAddress(primaryAddress)
        let linked = try EmailAddress(linkedAddress)
        let opener = SessionOpener(tlsPolicy: policy, timeouts: timeouts)
        var configuration = try AccountLinker.Configuration.files(
            directory: directory, primaryAddress: primary,
            confirmationSender: opener.smtpSender(
                ServerSettings(host: "127.0.0.1", port: primaryListener.port, security: .startTLS, user: primaryAddress),
                secret: .password(primaryPassword)),
            confirmationBaseURL: "https://mail.primary.example/confirm", store: store)
        configuration.tlsPolicy = policy
        configuration.timeouts = timeouts
        let linker = AccountLinker(configuration: configuration)

        print("\n1. linking \(linkedAddress)")
        var linkedOK = false
        let options = AccountLinker.LinkOptions(
            incoming: ServerSettings(host: "127.0.0.1", port: pop3Listener.port, security: .tls, user: linkedAddress),
            outgoing: ServerSettings(host: "127.0.0.1", port: linkedListener.port, security: .tls, user: linkedAddress),
            destination: .newFolder, marker: .blue, copies: .keep)
        let steps =
            if oauth {
                await linker.link(
                    address: linked,
                    oauth: .init(
                        method: .device, registration: .init(clientID: authorizationConfiguration.clientID),
                        server: .issuer(authorization.issuer)),
                    options: options)
            } else {
                await linker.link(address: linked, secret: .password(linkedPassword), options: options)
            }
        for await step in steps {
            print("   \(step)")
            if case .awaitingConfirmation = step { linkedOK = true }
            if case .authorize(.enterCode(let code, _, _)) = step {
                // The user at the verification page, on another device.
                print("   (the demo enters \(code) and approves, as the user would)")
                authorization.approve(userCode: code)
            }
        }
        guard linkedOK else { return .failure }

        // The Internet: what the primary's server accepted for the linked address reaches its mailbox.
        for (index, message) in primarySMTP.receivedMessages.enumerated()
        where message.recipients.contains(where: { $0.lowercased() == linkedAddress }) {
            pop3.deliver(FakePOP3Message(uid: "confirmation-\(index)", content: message.data), to: linkedAddress)
        }

        print("\n2. reading the confirmation e-mail in the linked mailbox")
        let confirmation = pop3.messages(of: linkedAddress).first { $0.uid.hasPrefix("confirmation-") }
        let confirmationText = confirmation.map { String(decoding: $0.content, as: UTF8.self) } ?? ""
        let subject = confirmationText.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") } ?? "(none)"
        print("   arrived: \(subject)")
        let link = confirmationText.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://mail.primary.example/confirm?token=") }
            .map(String.init)
        print("   link: \(link ?? "(none found)")")

        var account: LinkedAccount?
        if let link {
            print("\n3. following the link")
            do {
                account = try await linker.confirm(link)
                print("   confirmed \(linkedAddress); syncing starts by itself")
            } catch {
                print("   \(error)")
            }
            await linker.waitForPendingSyncs()
            if case .success(let report)? = await linker.lastSync[AccountID(linked)] {
                print("   fetched \(report.fetched) new messages (\(report.bytes) bytes) into \(account?.folder.path ?? "?")")
            } else if case .failure(let error)? = await linker.lastSync[AccountID(linked)] {
                print("   sync failed:\n\(error)")
            }
        }

        print("\n4. sending as \(linkedAddress)")
        var sentAs = false
        do {
            try await linker.setDefaultIdentity(linked)
            var message = try await linker.newMessage()
            message.to = [try Mailbox("friend@elsewhere.example")]
            message.subject = "Hello from my linked address"
            message.textBody = "Sent through \(linkedAddress)'s own outgoing server."
            try await linker.send(message)
            sentAs = true
            let identities = try await linker.identities().map { "\($0.isDefault ? "*" : " ")\($0.address)" }
            print("   sent; identities: \(identities.joined(separator: ", "))")
        } catch {
            print("   \(LinkDiagnosis(error))")
        }

        // The four acceptance checks.
        print("\nacceptance checks")
        var checks: [(String, Bool)] = []
        if let account {
            let folder = account.folder
            var stored: [[UInt8]] = []
            for entry in try await store.messages(in: folder) { stored.append(try await store.read(entry.id)) }
            let everyOriginal = originals.allSatisfy { original in stored.contains(original.content) }
            checks.append(("mail from the linked account appears in the chosen folder (\(folder.path), \(stored.count) messages, byte for byte)", everyOriginal && !folder.isInbox))
        } else {
            checks.append(("mail from the linked account appears in the chosen folder", false))
        }
        checks.append(("the confirmation e-mail arrives and its link confirms", confirmation != nil && account?.status == .confirmed))
        let sent = linkedSMTP.receivedMessages.last
        let sentFrom = sent.map { String(decoding: $0.data, as: UTF8.self).contains("From: \(linkedAddress)") } ?? false
        checks.append(("mail can be sent from the linked address (through its own server, From: \(linkedAddress))", sentAs && sent?.sender == linkedAddress && sentFrom))
        let remaining = pop3.messages(of: linkedAddress).map(\.content)
        checks.append(("copies stay on the source server (\(remaining.count) messages still there)", originals.allSatisfy { remaining.contains($0.content) }))
        if oauth {
            // The access token expires; the next sync refreshes it (and stores the rotated refresh token).
            authorization.expireAccessTokens()
            let before = authorization.counters.tokenRequests["refresh_token"] ?? 0
            let resync = await linker.sync(linked)
            let refreshed = (authorization.counters.tokenRequests["refresh_token"] ?? 0) > before
            checks.append(("an expired access token is refreshed and the sync goes on", refreshed && (try? resync.get()) != nil))
        }
        for (name, passed) in checks { print("\(passed ? "PASS" : "FAIL") \(name)") }
        await store.close()
        let passed = checks.filter(\.1).count
        print("\(passed) passed, \(checks.count - passed) failed")
        return passed == checks.count ? .success : .failure
    }
}
