import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailOAuth
import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the demo's fake servers hold, for the pages that stand in for the rest of the Internet:
/// the linked mailbox as its own provider shows it (where the confirmation e-mail arrives), and
/// what the fake outgoing servers accepted.
public struct DemoHooks: Sendable {
    /// One message on a fake server.
    public struct Message: Sendable {
        /// Which server holds it, in words.
        public var place: String
        /// The SMTP envelope sender, when it came through SMTP.
        public var envelopeSender: String?
        /// The envelope recipients, or the mailbox it is in.
        public var recipients: [String]
        /// The message as sent.
        public var bytes: [UInt8]

        /// A message.
        public init(place: String, envelopeSender: String?, recipients: [String], bytes: [UInt8]) {
            self.place = place
            self.envelopeSender = envelopeSender
            self.recipients = recipients
            self.bytes = bytes
        }
    }

    /// The servers, one line each ("fake POP3 server (TLS) for … on 127.0.0.1:PORT").
    public var servers: [String]
    /// The messages in the linked addresses' mailboxes on the fake POP3 server.
    public var remoteMailboxes: @Sendable () -> [Message]
    /// What the fake SMTP servers accepted.
    public var sent: @Sendable () -> [Message]
    /// The fake authorization server's "the user approves this code" (its verification page);
    /// false for a code it does not know.
    public var approveSignIn: (@Sendable (String) -> Bool)?

    /// Hooks.
    public init(
        servers: [String], remoteMailboxes: @escaping @Sendable () -> [Message],
        sent: @escaping @Sendable () -> [Message], approveSignIn: (@Sendable (String) -> Bool)? = nil
    ) {
        self.servers = servers
        self.remoteMailboxes = remoteMailboxes
        self.sent = sent
        self.approveSignIn = approveSignIn
    }
}

/// How the web mail signs in to providers that take OAuth 2.0 (``AccountLinker/link(address:oauth:options:)``):
/// the host's own client registration, and the authorization server.
public struct WebmailOAuth: Sendable {
    /// The registration with the provider (MailLink ships none).
    public var registration: OAuthClientRegistration
    /// Where the endpoints come from: the provider's entry, or a named issuer.
    public var server: AccountLinker.OAuthSignIn.Server

    /// Settings.
    public init(registration: OAuthClientRegistration, server: AccountLinker.OAuthSignIn.Server = .provider) {
        self.registration = registration
        self.server = server
    }
}

/// The Hotmail-style web mail over an ``AccountLinker``: it serves pages, the linker does the work.
///
/// Every page is built from ``HTML`` templates (so every value is escaped), carries security
/// headers (a Content-Security-Policy without inline script, `nosniff`, no framing, no referrer),
/// and every form carries its session's token (``SessionStore``).
public final class WebmailApp: Sendable {
    let linker: AccountLinker
    let store: any MailStore
    let sessions = SessionStore()
    let jobs = JobTable()
    let demo: DemoHooks?
    let oauth: WebmailOAuth?
    /// `scheme://host:port` of every name this server answers to (for `Origin` checks).
    let origins: Set<String>
    /// The `Host` values accepted: anything else is refused (DNS rebinding, RFC 9110 §7.2).
    let hosts: Set<String>
    /// Messages read in this web mail (the store keeps no "seen" flag of its own yet).
    let seen = Mutex<Set<StoredMessage.ID>>([])
    let summaries = Mutex<[StoredMessage.ID: MessageSummary]>([:])
    let notices = Mutex<[String: (text: String, isProblem: Bool)]>([:])

    /// An app over `linker` and the store its mail lands in, answering on `port` of `host`; with
    /// `oauth`, accounts can be linked by signing in to their provider.
    public init(
        linker: AccountLinker, store: any MailStore, host: String, port: Int, demo: DemoHooks? = nil,
        oauth: WebmailOAuth? = nil
    ) {
        self.linker = linker
        self.store = store
        self.demo = demo
        self.oauth = oauth
        let bracketed = host.contains(":") ? "[\(host)]" : host
        var names = ["\(bracketed):\(port)"]
        if host == "127.0.0.1" || host == "::1" {
            names += ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)"]
        }
        hosts = Set(names)
        origins = Set(names.map { "http://" + $0 })
    }

    /// The URL confirmation e-mails should link to on a server at `host:port`.
    public static func confirmationURL(host: String, port: Int) -> String {
        "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/confirm"
    }

    /// Answers one request.
    public func handle(_ request: WebRequest) async -> WebResponse {
        guard let host = request.header("host"), hosts.contains(host.lowercased()) else {
            return WebResponse(status: 421, contentType: "text/plain; charset=utf-8", text: "unknown host name\n")
        }
        if request.path.hasPrefix("/static/") { return Assets.response(for: request.path) }
        switch request.method {
        case "GET":
            var newCookie: String?
            let session: SessionStore.Session
            if let existing = sessions.session(for: request) {
                session = existing
            } else {
                session = sessions.create()
                newCookie = SessionStore.cookie(for: session)
            }
            var response = await get(request, session: session)
            if let newCookie { response.headers.append(("Set-Cookie", newCookie)) }
            return response
        case "POST":
            guard let session = sessions.verify(request, origins: origins) else {
                return page(
                    status: 403, title: "This form has expired", session: nil,
                    body: """
                        <h1>This form has expired</h1>
                        <p>The form was older than this session, or it came from another site. \
                        Nothing was changed. <a href="/mail">Go back to your mail</a> and try again.</p>
                        """)
            }
            return await post(request, session: session)
        default:
            return WebResponse(
                status: 405, contentType: "text/plain; charset=utf-8", text: "method not allowed\n",
                headers: [("Allow", "GET, POST")])
        }
    }

    private func get(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        switch request.path {
        case "/": return redirect("/mail")
        case "/mail": return await mailbox(request, session: session)
        case "/message": return await messageView(request, session: session)
        case "/compose": return await compose(request, session: session)
        case "/accounts": return await accountsPage(session: session)
        case "/accounts/add": return await addForm(request, session: session)
        case "/accounts/progress": return await progressPage(request, session: session)
        case "/accounts/check-email": return checkEmailPage(request, session: session)
        case "/confirm": return confirmLanding(request, session: session)
        case "/events/job": return jobEvents(request, session: session)
        case "/events/mail": return mailEvents()
        case "/demo": return await demoPage(session: session)
        default: return notFound(session: session)
        }
    }

    private func post(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        switch request.path {
        case "/compose": return await send(request, session: session)
        case "/accounts/add": return await startLink(request, session: session)
        case "/accounts/approve": return await approve(request, session: session)
        case "/accounts/oauth": return await signIn(request, session: session)
        case "/demo/approve": return demoApprove(request, session: session)
        case "/confirm": return await confirm(request, session: session)
        case "/accounts/check-now": return await checkNow(request, session: session)
        case "/accounts/update": return await updateAccount(request, session: session)
        case "/accounts/password": return await changePassword(request, session: session)
        case "/accounts/resend": return await resend(request, session: session)
        case "/accounts/unlink": return await unlink(request, session: session)
        case "/accounts/troubleshoot": return await troubleshoot(request, session: session)
        default: return notFound(session: session)
        }
    }

    // MARK: - Responses

    /// The headers every page carries. Scripts and styles come only from this server's files:
    /// even a value that escaped escaping could not run. The referrer goes to this origin only
    /// (a confirmation link's token never leaves it); `no-referrer` would make browsers send
    /// `Origin: null` with this site's own forms, which the forgery check refuses.
    static let securityHeaders: [(name: String, value: String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    func redirect(_ location: String) -> WebResponse {
        WebResponse(status: 303, headers: [("Location", location)] + Self.securityHeaders)
    }

    /// Remembers a one-time notice for the session's next page (`isProblem`: something failed).
    func notice(_ text: String, for session: SessionStore.Session, isProblem: Bool = false) {
        notices.withLock { $0[session.id] = (text, isProblem) }
    }

    func takeNotice(for session: SessionStore.Session?) -> (text: String, isProblem: Bool)? {
        guard let session else { return nil }
        return notices.withLock { $0.removeValue(forKey: session.id) }
    }

    func notFound(session: SessionStore.Session) -> WebResponse {
        page(
            status: 404, title: "Not found", session: session,
            body: "<h1>Not found</h1><p><a href=\"/mail\">Back to your mail</a></p>")
    }

    /// A whole page: the layout around `body`.
    func page(status: Int = 200, title: String, session: SessionStore.Session?, body: HTML) -> WebResponse {
        let notice: HTML =
            takeNotice(for: session).map { notice -> HTML in
                notice.isProblem
                    ? "<p class=\"notice problem\" role=\"alert\">\(notice.text)</p>"
                    : "<p class=\"notice\" role=\"status\">\(notice.text)</p>"
            } ?? ""
        let demoLink: HTML = demo == nil ? "" : "<a href=\"/demo\">Demo servers</a>"
        let document: HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · MailLink webmail</title>
            <link rel="stylesheet" href="/static/app.css">
            <script src="/static/app.js" defer></script>
            </head>
            <body>
            <header class="top"><a class="brand" href="/mail">MailLink</a>
            <nav aria-label="Main"><a href="/mail">Mail</a> <a href="/compose">New message</a> \
            <a href="/accounts">Accounts</a> \(demoLink)</nav></header>
            <div class="page">
            \(notice)\(body)
            </div>
            </body>
            </html>
            """
        return WebResponse(
            status: status, contentType: "text/html; charset=utf-8", text: document.rendered,
            headers: Self.securityHeaders)
    }

    /// A fragment of a page (for the script that refreshes the mailbox without a reload).
    func fragment(_ body: HTML) -> WebResponse {
        WebResponse(contentType: "text/html; charset=utf-8", text: body.rendered, headers: Self.securityHeaders)
    }

    /// The hidden field every form carries.
    func csrfField(_ session: SessionStore.Session) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrfToken)\">"
    }

    /// A diagnosis in words: what failed, the server's own words, what to try.
    func diagnosisBlock(_ diagnosis: LinkDiagnosis) -> HTML {
        let server: HTML = diagnosis.serverText.map { "<p class=\"server\">The server said: <q>\($0)</q></p>" } ?? ""
        return """
            <div class="diagnosis" role="alert" data-stage="\(diagnosis.stage.rawValue)">
            <p class="summary">\(diagnosis.summary)</p>\(server)
            <p class="suggestion">What to try: \(diagnosis.suggestion)</p>
            </div>
            """
    }

    /// The coloured diamond of a marker, as SVG (a presentation attribute, so no inline style is needed).
    static func diamond(_ marker: MarkerColor?) -> HTML {
        guard let marker else { return "<span class=\"diamond none\" aria-hidden=\"true\"></span>" }
        let (red, green, blue) = marker.rgb
        let hex = "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let name = marker.name ?? hex
        return """
            <svg class="diamond" data-marker="\(name)" data-color="\(hex)" viewBox="0 0 10 10" role="img" \
            aria-label="\(name) marker"><title>\(name) marker</title><path d="M5 0L10 5L5 10L0 5Z" fill="\(hex)"/></svg>
            """
    }

    func emailAddress(_ text: String?) -> EmailAddress? {
        guard let text, !text.isEmpty else { return nil }
        return try? EmailAddress(text)
    }
}
