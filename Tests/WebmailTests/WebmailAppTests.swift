import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailOAuth
import MailTesting
import MailTransport
import SMTPSender
import Synchronization
import Testing

@testable import WebmailKit

@Suite("HTML templates escape every value")
struct HTMLTests {
    @Test("text and attribute values cannot break out of their place")
    func escapes() {
        let hostile = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>"
        let markup: HTML = "<td title=\"\(hostile)\">\(hostile)</td>"
        #expect(
            markup.rendered == "<td title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; "
                + "&lt;img src=x onerror=alert(1)&gt;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; "
                + "&lt;img src=x onerror=alert(1)&gt;</td>")
    }

    @Test("markup built from templates is kept, not escaped twice")
    func keepsMarkup() {
        let inner: HTML = "<b>\("a<b")</b>"
        let outer: HTML = "<p>\(inner) \(3)</p>"
        #expect(outer.rendered == "<p><b>a&lt;b</b> 3</p>")
    }

    @Test("URLs built from data are percent-encoded, then escaped as attributes")
    func urls() {
        let url = HTML.url("/mail", [("folder", "a&b\"<c>")])
        #expect(url == "/mail?folder=a%26b%22%3Cc%3E")
    }
}

/// Keeps the confirmation e-mails instead of sending them.
final class KeepingSender: MailSending, Sendable {
    let kept = Mutex<[String]>([])
    func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        kept.withLock {
            $0.append(String(decoding: message, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: ""))
        }
        return SMTPSendResult(recipients: [], finalReply: SMTPReply(code: 250, lines: ["OK"]))
    }

    /// The token of the newest confirmation link.
    var token: String? {
        guard let text = kept.withLock({ $0.last }), let range = text.range(of: "/confirm?token=") else { return nil }
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}

/// A web mail over in-memory fakes, and a browser's side of it: its cookie and its form token.
struct Browser {
    static let linked = "linked@example.net"
    static let password = "Never-Shown-3x4mple"
    let pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: [linked: password]))
    let store = InMemoryMailStore()
    let sender = KeepingSender()
    let app: WebmailApp
    var cookie: String?
    var csrf: String?

    init(
        discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)? = nil,
        oauth: WebmailOAuth? = nil
    ) throws {
        var configuration = AccountLinker.Configuration.inMemory(
            primaryAddress: try EmailAddress("me@primary.example"), confirmationSender: sender,
            confirmationBaseURL: "http://127.0.0.1:8080/confirm", store: store)
        configuration.connector = pop3.connector
        configuration.discover = discover
        app = WebmailApp(
            linker: AccountLinker(configuration: configuration), store: store, host: "127.0.0.1", port: 8080,
            oauth: oauth)
    }

    mutating func get(
        _ path: String, headers: [(String, String)] = []
    ) async -> (status: Int, headers: [(name: String, value: String)], body: String) {
        let (rawPath, query) = split(path)
        var request = WebRequest(
            method: "GET", path: rawPath, query: query, headers: [("Host", "127.0.0.1:8080")] + headers)
        if let cookie { request.headers.append(("Cookie", cookie)) }
        let response = await app.handle(request)
        if let set = response.headers.first(where: { $0.name == "Set-Cookie" })?.value {
            cookie = String(set.prefix { $0 != ";" })
        }
        let body = Self.text(response)
        if let range = body.range(of: "name=\"csrf\" value=\"") {
            csrf = String(body[range.upperBound...].prefix { $0 != "\"" })
        }
        return (response.status, response.headers, body)
    }

    func post(
        _ path: String, _ fields: [(String, String)], csrf token: String? = nil,
        headers: [(String, String)] = []
    ) async -> (status: Int, headers: [(name: String, value: String)], body: String) {
        var all = fields
        if let token = token ?? csrf { all.append(("csrf", token)) }
        var request = WebRequest(
            method: "POST", path: path,
            headers: [("Host", "127.0.0.1:8080"), ("Content-Type", "application/x-www-form-urlencoded")] + headers,
            body: Array(HTTPForm.encode(all.map { (name: $0.0, value: $0.1) }).utf8))
        if let cookie { request.headers.append(("Cookie", cookie)) }
        let response = await app.handle(request)
        return (response.status, response.headers, Self.text(response))
    }

    private func split(_ path: String) -> (String, [(name: String, value: String)]) {
        guard let mark = path.firstIndex(of: "?") else { return (path, []) }
        return (String(path[..<mark]), HTTPForm.decode(path[path.index(after: mark)...]))
    }

    static func text(_ response: WebResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite("Web mail: sessions, forms, escaping and secrets")
struct WebmailAppTests {
    @Test("the session cookie is HttpOnly and SameSite=Strict, and pages carry a strict CSP")
    func cookie() async throws {
        var browser = try Browser()
        let page = await browser.get("/mail")
        #expect(page.status == 200)
        let cookie = try #require(page.headers.first { $0.name == "Set-Cookie" }?.value)
        #expect(cookie.hasPrefix("webmail_session="))
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Strict"))
        #expect(cookie.contains("; Path=/"))
        let policy = try #require(page.headers.first { $0.name == "Content-Security-Policy" }?.value)
        #expect(policy.contains("script-src 'self'"))
        #expect(!policy.contains("unsafe-inline"))
        // The same browser keeps its session: no new cookie.
        let again = await browser.get("/mail")
        #expect(!again.headers.contains { $0.name == "Set-Cookie" })
    }

    @Test("a request for another host name is refused (DNS rebinding)")
    func hostName() async throws {
        let browser = try Browser()
        let response = await browser.app.handle(
            WebRequest(method: "GET", path: "/mail", headers: [("Host", "evil.example:8080")]))
        #expect(response.status == 421)
    }

    @Test("a form is refused without the session's token, with another session's, or from another site")
    func forgery() async throws {
        var browser = try Browser()
        _ = await browser.get("/accounts/add")
        let token = try #require(browser.csrf)
        var other = try Browser()
        _ = await other.get("/accounts/add")
        let fields = [("address", "someone@example.net"), ("password", "x")]

        #expect(await browser.post("/accounts/add", fields, csrf: "").status == 403)
        #expect(await browser.post("/accounts/add", fields, csrf: String(token.reversed())).status == 403)
        var stranger = browser
        stranger.cookie = other.cookie  // another session's cookie with this session's token
        #expect(await stranger.post("/accounts/add", fields, csrf: token).status == 403)
        var anonymous = browser
        anonymous.cookie = nil
        #expect(await anonymous.post("/accounts/add", fields, csrf: token).status == 403)
        #expect(await browser.post("/accounts/add", fields, headers: [("Origin", "http://evil.example")]).status == 403)
        #expect(await browser.post("/accounts/add", fields, headers: [("Sec-Fetch-Site", "cross-site")]).status == 403)
        // With its token, from its own origin, the form is taken.
        let taken = await browser.post("/accounts/add", fields, headers: [("Origin", "http://127.0.0.1:8080")])
        #expect(taken.status == 303)
    }

    @Test("the mailbox fragment carries the page's version until the mailbox changes")
    func fragmentVersion() async throws {
        var browser = try Browser()
        let page = await browser.get("/mail")
        let version = try #require(
            page.body.range(of: "data-version=\"").map { String(page.body[$0.upperBound...].prefix { $0 != "\"" }) })
        let same = await browser.get("/mail", headers: [("X-Webmail-Fragment", "mailbox")])
        #expect(same.headers.first { $0.name == "X-Webmail-Version" }?.value == version)
        #expect(!same.body.contains("<html"))
        _ = try await browser.store.deliver(
            IncomingMessage(bytes: Array("Subject: new\r\n\r\nhello\r\n".utf8), folder: .inbox))
        let changed = await browser.get("/mail", headers: [("X-Webmail-Fragment", "mailbox")])
        #expect(changed.headers.first { $0.name == "X-Webmail-Version" }?.value != version)
        #expect(changed.body.contains(">new</a>"))
    }

    @Test("a folder that does not exist yet (before an account's first sync) is shown empty, waiting for mail")
    func folderNotCreatedYet() async throws {
        var browser = try Browser()
        let page = await browser.get(HTML.url("/mail", [("folder", "someone@example_net")]))
        #expect(page.status == 200)
        #expect(page.body.contains("<div id=\"mailbox\" data-live=\"mail\" data-version="))
        #expect(page.body.contains("No messages in this folder."))
    }

    @Test("a hostile subject and sender are shown as text in the list and the message")
    func hostileMessage() async throws {
        var browser = try Browser()
        let hostile =
            "From: \"<img src=x onerror=alert(1)>\" <mallet@attacker.example>\r\nTo: me@primary.example\r\n"
            + "Subject: <script>alert(\"subject\")</script> & \"q\"\r\n\r\n</pre><script>alert('body')</script>\r\n"
        let outcome = try await browser.store.deliver(IncomingMessage(bytes: Array(hostile.utf8), folder: .inbox))
        _ = outcome
        let list = await browser.get("/mail")
        #expect(!list.body.contains("<script>alert"))
        #expect(!list.body.contains("<img src=x"))
        #expect(list.body.contains("&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; &amp; &quot;q&quot;"))
        #expect(list.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
        let id = try #require(try await browser.store.messages(in: .inbox).first?.id)
        let view = await browser.get(HTML.url("/message", [("id", id.rawValue)]))
        #expect(view.status == 200)
        #expect(!view.body.contains("<script>alert"))
        #expect(!view.body.contains("</pre><script>"))
        #expect(view.body.contains("&lt;/pre&gt;&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;"))
    }

    @Test("the password typed when linking appears in no page")
    func noSecretInPages() async throws {
        var browser = try Browser()
        let (progress, page) = try await link(&browser)
        #expect(page.contains("data-outcome=\"confirmation-sent\""))
        #expect(page.contains("confirmation sent to \(Browser.linked)"))
        for path in [
            progress, "/accounts", "/mail", "/compose",
            HTML.url("/accounts/check-email", [("address", Browser.linked)]),
        ] {
            let shown = await browser.get(path)
            #expect(!shown.body.contains(Browser.password), "\(path) shows the password")
        }
    }

    /// Adds the linked account through the form (with manual settings unless `manual` is false)
    /// and waits for the indicator's flow to end.
    func link(
        _ browser: inout Browser, password: String = Browser.password, manual: Bool = true
    ) async throws -> (progress: String, page: String) {
        _ = await browser.get("/accounts/add")
        let settings = [("host", "pop.example.net"), ("port", "995"), ("security", "tls")]
        let started = await browser.post(
            "/accounts/add",
            [("address", Browser.linked), ("password", password), ("marker", "teal")] + (manual ? settings : []))
        return try await waitForFlow(&browser, started)
    }

    /// Follows a form's redirect to the indicator page and reloads it until the flow has ended.
    func waitForFlow(
        _ browser: inout Browser, _ started: (status: Int, headers: [(name: String, value: String)], body: String)
    ) async throws -> (progress: String, page: String) {
        let progress = try #require(started.headers.first { $0.name == "Location" }?.value)
        var page = await browser.get(progress)
        let deadline = ContinuousClock.now + .seconds(60)
        while page.body.contains("data-state=\"running\""), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            page = await browser.get(progress)
        }
        return (progress, page.body)
    }

    @Test("the link's page confirms with its button; the accounts page then lists the last checks as markup")
    func confirmAndHistory() async throws {
        var browser = try Browser()
        browser.pop3.deliver(
            FakePOP3Message(uid: "1", text: "From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n"),
            to: Browser.linked)
        let (_, outcome) = try await link(&browser)
        #expect(outcome.contains("data-outcome=\"confirmation-sent\""))
        let token = try #require(browser.sender.token)
        let landing = await browser.get(HTML.url("/confirm", [("token", token)]))
        #expect(landing.body.contains("id=\"confirm-link\""))
        #expect(try await browser.app.linker.account(EmailAddress(Browser.linked))?.status == .pending)
        let confirmed = await browser.post("/confirm", [("token", token)])
        #expect(confirmed.body.contains("id=\"confirmed\""))
        var accounts = await browser.get("/accounts")
        let deadline = ContinuousClock.now + .seconds(60)
        while !accounts.body.contains("fetched 1 new message"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            accounts = await browser.get("/accounts")
        }
        #expect(accounts.body.contains("<ol class=\"checks\"><li><time>"))
        #expect(!accounts.body.contains("&lt;li&gt;"))
    }

    @Test("discovered settings that need approval are shown with their source; approving links with the kept password")
    func approval() async throws {
        var browser = try Browser(discover: { address in
            DiscoveredAccountSettings(
                incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: address.description),
                outgoing: nil, origin: "autoconfig over plain HTTP", confirmationReasons: ["it was fetched without TLS"]
            )
        })
        let (_, page) = try await link(&browser, manual: false)
        #expect(page.contains("data-outcome=\"needs-approval\""))
        #expect(page.contains("<dd id=\"found-origin\">autoconfig over plain HTTP</dd>"))
        #expect(page.contains("<li>it was fetched without TLS</li>"))
        #expect(page.contains("pop.example.net:995"))
        let job = try #require(
            page.range(of: "name=\"job\" value=\"").map { page[$0.upperBound...].prefix { $0 != "\"" } })
        let approved = await browser.post("/accounts/approve", [("job", String(job))])
        let (_, after) = try await waitForFlow(&browser, approved)
        #expect(after.contains("data-outcome=\"confirmation-sent\""))
        // The kept password was used once and is gone: approving again asks for it.
        let again = await browser.post("/accounts/approve", [("job", String(job))])
        #expect(again.headers.first { $0.name == "Location" }?.value == "/accounts/add")
    }

    @Test("an OAuth-only provider offers the sign-in when OAuth is set up, and says how to link it when not")
    func oauthOnlyProvider() async throws {
        for oauth in [nil, WebmailOAuth(registration: OAuthClientRegistration(clientID: "webmail-tests"))] {
            var browser = try Browser(oauth: oauth)
            _ = await browser.get("/accounts/add")
            let started = await browser.post(
                "/accounts/add", [("address", "someone@outlook.com"), ("password", "never-sent")])
            let (_, page) = try await waitForFlow(&browser, started)
            #expect(page.contains("data-stage=\"OAuth required\""))
            #expect(page.contains("id=\"oauth-device\"") == (oauth != nil))
            #expect(page.contains("id=\"oauth-gap\"") == (oauth == nil))
        }
    }

    @Test("a wrong password ends in the diagnosis in words and the Advanced options, open and filled in")
    func wrongPassword() async throws {
        var browser = try Browser()
        let (_, page) = try await link(&browser, password: "wrong")
        #expect(page.contains("data-outcome=\"needs-manual-settings\""))
        #expect(page.contains("class=\"diagnosis\""))
        #expect(page.contains("data-stage=\"authentication\""))
        #expect(page.contains("<details id=\"advanced\" open>"))
        #expect(page.contains("value=\"pop.example.net\""))
    }
}
