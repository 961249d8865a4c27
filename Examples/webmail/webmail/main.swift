import AccountLinking
import AutoDiscovery
import Dispatch
import FolderRouting
import MailAuth
import MailMessage
import MailOAuth
import MailTransport
import Synchronization
import WebmailKit
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `webmail`: a Hotmail-style web mail over MailLink, on loopback.
///
///     webmail [--port N] [--listen ADDRESS]
///         the whole flow on built-in fake servers (like `linkmail demo`), no set-up
///     webmail --home DIR --primary ADDR --server HOST:PORT [--security tls|starttls|plain] [--user NAME]
///             [--password-file FILE] [--ca FILE] [--pin SHA256] [--timeout SECONDS] [--insecure-allow-plaintext]
///             [--dns HOST:PORT] [--autoconfig-base URL] [--offline] [--port N] [--listen ADDRESS]
///             [--oauth-client-id ID [--oauth-client-secret-file FILE] [--oauth-issuer URL]]
///         a home of linked accounts against real servers: the primary mailbox and its outgoing
///         server as `linkmail init` takes them (the password from the file or LINKMAIL_PASSWORD)
///
/// Prints `webmail: http://127.0.0.1:PORT/` once it listens. Stops on SIGINT or SIGTERM.
let usage = """
    usage: webmail [--port N] [--listen ADDRESS]
           webmail --home DIR --primary ADDR --server HOST:PORT [--security tls|starttls|plain] [--user NAME]
                   [--password-file FILE] [--ca FILE] [--pin SHA256] [--timeout SECONDS] [--insecure-allow-plaintext]
                   [--dns HOST:PORT] [--autoconfig-base URL] [--offline] [--port N] [--listen ADDRESS]
                   [--oauth-client-id ID [--oauth-client-secret-file FILE] [--oauth-issuer URL]]
    """

struct UsageError: Error { var message: String }

/// One line on standard output, written at once (a test waits for the line with the port).
/// Writes a line to standard error, unbuffered.
func sayError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func say(_ line: String) {
    print(line)
    fflush(nil)  // a log line is seen at once, even through a pipe
}

/// The flags: `--name value` pairs and bare `--flag`s, each name at most once.
struct Flags {
    static let valued: Set<String> = [
        "port", "listen", "home", "primary", "server", "security", "user", "password-file", "ca", "pin", "timeout",
        "dns", "autoconfig-base", "oauth-client-id", "oauth-client-secret-file", "oauth-issuer",
    ]
    static let bare: Set<String> = ["insecure-allow-plaintext", "offline"]
    var values: [String: String] = [:]
    var present: Set<String> = []

    init(_ words: [String]) throws {
        var rest = words[...]
        while let word = rest.popFirst() {
            guard word.hasPrefix("--") else { throw UsageError(message: "unexpected \(word)") }
            let name = String(word.dropFirst(2))
            if Self.bare.contains(name) {
                present.insert(name)
            } else if Self.valued.contains(name), let value = rest.popFirst() {
                guard values.updateValue(value, forKey: name) == nil else {
                    throw UsageError(message: "--\(name) twice")
                }
            } else {
                throw UsageError(message: "unknown option or missing value: \(word)")
            }
        }
    }
}

/// The linker and store of `--home DIR`, with the primary mailbox from the flags.
func homeLinker(
    _ flags: Flags, directory: String, confirmationURL: String
) async throws -> (AccountLinker, MaildirStore) {
    guard let primaryText = flags.values["primary"], let server = flags.values["server"] else {
        throw UsageError(message: "--home needs --primary ADDR and --server HOST:PORT (the primary's outgoing server)")
    }
    let primary = try EmailAddress(primaryText)
    guard let security = ServerSettings.security(named: flags.values["security"] ?? "tls") else {
        throw UsageError(message: "--security must be tls, starttls or plain")
    }
    guard let endpoint = Endpoint(parsing: server, security: security) else {
        throw UsageError(message: "--server must be HOST:PORT")
    }
    let passwordLine = try flags.values["password-file"].map { path -> String in
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError(message: "cannot read \(path)")
        }
        return String(decoding: data.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
    }
    guard let password = passwordLine ?? ProcessInfo.processInfo.environment["LINKMAIL_PASSWORD"] else {
        throw UsageError(message: "the primary's password: --password-file FILE or LINKMAIL_PASSWORD")
    }
    let pins =
        try flags.values["pin"].map { text -> [CertificateFingerprint] in
            guard let pin = CertificateFingerprint(text) else { throw UsageError(message: "--pin is 64 hex digits") }
            return [pin]
        } ?? []
    let policy = ConnectionPolicy(
        caFiles: flags.values["ca"].map { [$0] } ?? [], pins: pins,
        timeoutSeconds: flags.values["timeout"].flatMap { Int($0) },
        allowsInsecureAuthentication: flags.present.contains("insecure-allow-plaintext"))
    let opener = SessionOpener(
        tlsPolicy: policy.tlsPolicy, timeouts: policy.timeouts(over: .all(.seconds(30))),
        allowsInsecureAuthentication: policy.allowsInsecureAuthentication)
    let store = try await MaildirStore.open(at: directory + "/Maildir")
    var configuration = try AccountLinker.Configuration.files(
        directory: directory, primaryAddress: primary,
        confirmationSender: opener.smtpSender(
            ServerSettings(
                host: endpoint.host, port: endpoint.port, security: security, user: flags.values["user"] ?? primaryText),
            secret: .password(password)),
        confirmationBaseURL: confirmationURL, store: store)
    configuration.tlsPolicy = opener.tlsPolicy
    configuration.timeouts = opener.timeouts
    configuration.allowInsecureAuthentication = policy.allowsInsecureAuthentication
    configuration.discover = SettingsDiscovery.using(
        AutoDiscoverer(
            configuration: try DiscoveryConfiguration(
                dnsServer: flags.values["dns"], autoconfigBase: flags.values["autoconfig-base"],
                offline: flags.present.contains("offline"), tlsPolicy: opener.tlsPolicy)))
    return (AccountLinker(configuration: configuration), store)
}

/// `--oauth-client-id ID [--oauth-client-secret-file FILE] [--oauth-issuer URL]`: signing in to
/// providers that take OAuth 2.0, with the host's own registration (MailLink ships none).
func homeOAuth(_ flags: Flags) -> WebmailOAuth? {
    guard let clientID = flags.values["oauth-client-id"] else { return nil }
    let secret = flags.values["oauth-client-secret-file"].flatMap { FileManager.default.contents(atPath: $0) }
        .map { String(decoding: $0.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self) }
    return WebmailOAuth(
        registration: OAuthClientRegistration(clientID: clientID, clientSecret: secret),
        server: flags.values["oauth-issuer"].map { .issuer($0) } ?? .provider)
}

func run() async throws {
    let flags = try Flags(Array(CommandLine.arguments.dropFirst()))
    let host = flags.values["listen"] ?? "127.0.0.1"
    guard let port = Int(flags.values["port"] ?? "0"), (0...65535).contains(port) else {
        throw UsageError(message: "--port must be a number from 0 to 65535")
    }
    // The port is bound first: the confirmation e-mails link to this server's /confirm page.
    let handler = LateHandler()
    let server = try HTTPServer(host: host, port: port) { request in await handler.handle(request) }
    let confirmationURL = WebmailApp.confirmationURL(host: host, port: server.port)

    let linker: AccountLinker
    let store: MaildirStore
    var demo: DemoServers?
    if let directory = flags.values["home"] {
        (linker, store) = try await homeLinker(flags, directory: directory, confirmationURL: confirmationURL)
        say("webmail: home \(directory), primary \(await linker.configuration.primaryAddress)")
    } else {
        let servers = try DemoServers()
        demo = servers
        let directory = FileManager.default.temporaryDirectory.appending(path: "webmail-demo-\(UUID().uuidString)").path
        store = try await MaildirStore.open(at: directory + "/Maildir")
        var configuration = try AccountLinker.Configuration.files(
            directory: directory, primaryAddress: try EmailAddress(DemoServers.primaryAddress),
            confirmationSender: servers.confirmationSender, confirmationBaseURL: confirmationURL, store: store)
        configuration.tlsPolicy = servers.tlsPolicy
        configuration.timeouts = .all(.seconds(30))
        configuration.discover = try servers.discover()
        linker = AccountLinker(configuration: configuration)
        servers.startInternet(deliveringPrimaryMailTo: store)
        say("webmail: demo on built-in fake servers (state in \(directory))")
        for line in servers.hooks.servers { say("  \(line)") }
    }
    let scheduler = try await linker.startScheduler(policy: SyncPolicy())
    handler.set(
        WebmailApp(
            linker: linker, store: store, host: host, port: server.port, demo: demo?.hooks,
            oauth: demo?.oauth ?? homeOAuth(flags)))
    say("webmail: http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)/")

    await waitForTermination()
    say("webmail: stopping")
    server.close()
    await scheduler.stop(within: .seconds(10))
    await store.close()
    demo?.close()
}

/// The app once it exists (the server is started first, to learn its port).
final class LateHandler: Sendable {
    private let app = Mutex<WebmailApp?>(nil)
    func set(_ app: WebmailApp) { self.app.withLock { $0 = app } }
    func handle(_ request: WebRequest) async -> WebResponse {
        guard let app = app.withLock({ $0 }) else {
            return WebResponse(status: 503, contentType: "text/plain; charset=utf-8", text: "starting\n")
        }
        return await app.handle(request)
    }
}

/// Returns on SIGINT or SIGTERM.
func waitForTermination() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let queue = DispatchQueue(label: "webmail.signals")
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = Mutex(false)
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        for source in sources {
            source.setEventHandler {
                guard
                    once.withLock({ done in
                        defer { done = true }; return !done
                    })
                else { return }
                for other in sources { other.cancel() }
                continuation.resume()
            }
            source.resume()
        }
    }
}

do {
    try await run()
} catch let error as UsageError {
    sayError("webmail: \(error.message)\n\(usage)")
    exit(2)
} catch {
    sayError("webmail: \(LinkDiagnosis(error))")
    exit(1)
}
