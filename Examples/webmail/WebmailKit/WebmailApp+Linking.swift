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

extension WebmailApp {
    // MARK: - The add form

    func addForm(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        var form = AddAccountForm()
        if let job = jobs.job(request.queryValue("retry"), session: session) {
            form = job.form.prefilled(with: job.found)
            form.advanced = true
        }
        return page(
            title: "Add an e-mail account", session: session,
            body: "<h1>Add an e-mail account</h1>\(addFormHTML(form, session: session, folders: await folderNames()))")
    }

    /// The form: address and password first, the folder and marker, and "Advanced options"
    /// (closed unless they are needed) with the manual settings.
    /// The store's folders, for the folder field's suggestions.
    func folderNames() async -> [String] { ((try? await store.folders()) ?? []).map(\.path) }

    func addFormHTML(
        _ form: AddAccountForm, session: SessionStore.Session, problem: String? = nil, folders: [String] = []
    ) -> HTML {
        let securities: [(String, String)] = [
            ("tls", "SSL/TLS from the start"), ("starttls", "STARTTLS (STLS) after connecting"),
            ("plain", "None (unencrypted)"),
        ]
        func securityOptions(_ chosen: String) -> [HTML] {
            securities.map { value, label -> HTML in
                let selected: HTML = chosen == value ? " selected" : ""
                return "<option value=\"\(value)\"\(selected)>\(label)</option>"
            }
        }
        let markers = MarkerColor.palette.map { marker -> HTML in
            let name = marker.name ?? marker.description
            let checked: HTML = form.marker == name ? " checked" : ""
            return """
                <label class="marker-choice"><input type="radio" name="marker" value="\(name)"\(checked)> \
                \(Self.diamond(marker)) \(name)</label>
                """
        }
        func destination(_ value: String, _ label: String) -> HTML {
            let checked: HTML = form.destination == value ? " checked" : ""
            return "<label><input type=\"radio\" name=\"destination\" value=\"\(value)\"\(checked)> \(label)</label>"
        }
        let open: HTML = form.advanced ? " open" : ""
        let keep: HTML = form.keepCopies ? " checked" : ""
        let problemBlock: HTML = problem.map { "<p class=\"problem\" role=\"alert\">\($0)</p>" } ?? ""
        return """
            \(problemBlock)<form method="post" action="/accounts/add" class="add-account">\(csrfField(session))
            <label for="address">E-mail address</label>
            <input id="address" name="address" type="email" value="\(form.address)" required autocomplete="off" \
            placeholder="someone@example.com">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="off">
            <fieldset><legend>Put its mail in</legend>
            \(destination("new", "A new folder named after the account"))
            \(destination("inbox", "The Inbox"))
            \(destination("folder", "This folder:")) <input id="folder" name="folder" type="text" value="\(form.folder)" \
            aria-label="Folder name" placeholder="Old mail" list="known-folders"><datalist id="known-folders">\
            \(folders.map { path -> HTML in "<option value=\"\(path)\"></option>" })</datalist>
            </fieldset>
            <fieldset class="markers"><legend>Mark its messages with</legend>\(markers)</fieldset>
            <details id="advanced"\(open)><summary>Advanced options</summary>
            <p>Leave these empty to have the settings found for you.</p>
            <label for="user">User name</label><input id="user" name="user" type="text" value="\(form.user)" \
            placeholder="usually the whole address">
            <label for="host">POP3 server</label><input id="host" name="host" type="text" value="\(form.host)" \
            placeholder="pop.example.com">
            <label for="port">Port</label><input id="port" name="port" type="text" inputmode="numeric" value="\(form.port)" \
            placeholder="995">
            <label for="security">SSL</label><select id="security" name="security">\(securityOptions(form.security))</select>
            <label class="inline"><input type="checkbox" name="keep-copies"\(keep)> Leave a copy of each message on the server</label>
            <label for="smtp-host">Outgoing (SMTP) server, for sending as this address</label>
            <input id="smtp-host" name="smtp-host" type="text" value="\(form.smtpHost)" placeholder="smtp.example.com">
            <label for="smtp-port">Outgoing port</label><input id="smtp-port" name="smtp-port" type="text" \
            inputmode="numeric" value="\(form.smtpPort)" placeholder="465">
            <label for="smtp-security">Outgoing SSL</label><select id="smtp-security" name="smtp-security">\
            \(securityOptions(form.smtpSecurity))</select>
            </details>
            <button type="submit" id="save">Save</button>
            </form>
            """
    }

    // MARK: - Linking, watched step by step

    func startLink(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        var form = AddAccountForm(request)
        // The form is checked whether or not the Advanced section was open when it was sent.
        form.advanced = form.advanced || !form.user.isEmpty
        if let problem = form.problem {
            return page(
                title: "Add an e-mail account", session: session,
                body: "<h1>Add an e-mail account</h1>\(addFormHTML(form, session: session, problem: problem))")
        }
        let password = request.formValue("password") ?? ""
        guard !password.isEmpty else {
            return page(
                title: "Add an e-mail account", session: session,
                body:
                    "<h1>Add an e-mail account</h1>\(addFormHTML(form, session: session, problem: "Type the password of that mailbox."))"
            )
        }
        let job = Job(session: session.id, form: form, secret: .password(password))
        jobs.add(job)
        runLink(job, secret: .password(password), options: form.linkOptions())
        return redirect(HTML.url("/accounts/progress", [("job", job.id)]))
    }

    /// Links again with the settings the user just approved, and the password kept for that.
    func approve(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        guard let previous = jobs.job(request.formValue("job"), session: session),
            let secret = previous.heldSecret.withLock({ $0 })
        else {
            notice("That approval has expired; type the password again.", for: session, isProblem: true)
            return redirect("/accounts/add")
        }
        previous.heldSecret.withLock { $0 = nil }
        let job = Job(session: session.id, form: previous.form, secret: nil)
        jobs.add(job)
        runLink(job, secret: secret, options: previous.form.linkOptions(acceptDiscovered: true))
        return redirect(HTML.url("/accounts/progress", [("job", job.id)]))
    }

    /// Links again by signing in to the provider (OAuth 2.0), with what the form held.
    func signIn(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        guard let oauth, let previous = jobs.job(request.formValue("job"), session: session),
            let address = emailAddress(previous.form.address)
        else {
            notice("Signing in with the provider is not set up here.", for: session, isProblem: true)
            return redirect("/accounts/add")
        }
        let method: AccountLinker.OAuthSignIn.Method = request.formValue("method") == "browser" ? .browser : .device
        let job = Job(session: session.id, form: previous.form, secret: nil)
        jobs.add(job)
        let (linker, options) = (self.linker, previous.form.linkOptions())
        let signIn = AccountLinker.OAuthSignIn(method: method, registration: oauth.registration, server: oauth.server)
        runLink(job) { await linker.link(address: address, oauth: signIn, options: options) }
        return redirect(HTML.url("/accounts/progress", [("job", job.id)]))
    }

    private func runLink(_ job: Job, secret: Credentials.Secret, options: AccountLinker.LinkOptions) {
        let (linker, address) = (self.linker, job.form.address)
        runLink(job) { await linker.link(address: address, secret: secret, options: options) }
    }

    /// Records the flow's steps in `job` as they come.
    private func runLink(_ job: Job, steps: @escaping @Sendable () async -> AsyncStream<LinkStep>) {
        let address = job.form.address
        Task {
            for await step in await steps() {
                switch step {
                case .authorize(.openBrowser(let url)):
                    job.append(.init(kind: "authorize", text: "sign in on the provider's page", link: url))
                case .authorize(.enterCode(let code, let page, let complete)):
                    job.append(
                        .init(
                            kind: "authorize", text: "go to \(page) and enter the code \(code)", link: complete ?? page)
                    )
                case .found(let settings):
                    job.noteFound(settings)
                    job.append(.init(kind: "step", text: step.description))
                case .advice(let text):
                    job.append(.init(kind: "advice", text: text))
                case .confirmationSent:
                    job.append(.init(kind: "pass", text: step.description))
                case .awaitingConfirmation(let account):
                    job.finish(.confirmationSent(account.address.description))
                case .updated(let account):
                    job.append(.init(kind: "pass", text: step.description))
                    job.finish(.updated(account.address.description))
                case .confirmationNotSent(let diagnosis):
                    job.append(.init(kind: "fail", text: "linked, but the confirmation e-mail was not sent"))
                    job.finish(.confirmationNotSent(address, diagnosis))
                case .settingsNeedApproval(let settings):
                    job.append(
                        .init(kind: "advice", text: "these settings need your approval before the password is sent"))
                    job.finish(.needsApproval(settings))
                case .needsManualSettings(let diagnosis):
                    job.append(.init(kind: "fail", text: diagnosis.summary))
                    job.finish(.needsManualSettings(diagnosis))
                default:
                    job.append(.init(kind: "step", text: step.description))
                }
            }
        }
    }

    /// The connection indicator: the steps so far, then each new one as it happens (server-sent
    /// events; without script, the page reloads itself every two seconds until the job ends).
    func progressPage(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        guard let job = jobs.job(request.queryValue("job"), session: session) else { return notFound(session: session) }
        let outcome = job.outcome
        let folders = outcome == nil ? [] : await folderNames()
        let lines = job.lines.map { line -> HTML in
            let link: HTML =
                line.link.map { " <a href=\"\($0)\" target=\"_blank\" rel=\"noopener noreferrer\">open the page</a>" }
                ?? ""
            return "<li class=\"\(line.kind)\">\(line.text)\(link)</li>"
        }
        let state = outcome == nil ? "running" : "finished"
        let refresh: HTML =
            outcome == nil ? "<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>" : ""
        let heading = job.form.address.isEmpty ? "Checking" : job.form.address
        return page(
            title: "Connecting", session: session,
            body: """
                \(refresh)<h1>\(heading)</h1>
                <div id="indicator" class="indicator" data-state="\(state)" \
                data-events="\(HTML.url("/events/job", [("job", job.id)]))">
                <ol id="steps" aria-live="polite">\(lines)</ol>
                </div>
                \(outcome.map { outcomeHTML($0, job: job, session: session, folders: folders) } ?? "")
                """)
    }

    func jobEvents(_ request: WebRequest, session: SessionStore.Session) -> WebResponse {
        guard let job = jobs.job(request.queryValue("job"), session: session) else { return notFound(session: session) }
        return WebResponse(headers: Self.securityHeaders, body: .events { writer in await job.stream(to: writer) })
    }

    func outcomeHTML(_ outcome: Job.Outcome, job: Job, session: SessionStore.Session, folders: [String]) -> HTML {
        switch outcome {
        case .confirmationSent(let address):
            return """
                <div class="outcome ok" id="outcome" data-outcome="confirmation-sent">
                <p>Confirmation sent to \(address).</p>
                <p><a class="button" id="next" href="\(HTML.url("/accounts/check-email", [("address", address)]))">Continue</a></p>
                </div>
                """
        case .updated(let address):
            return """
                <div class="outcome ok" id="outcome" data-outcome="updated"><p>\(address) was already linked: \
                its settings and password were updated.</p><p><a class="button" id="next" href="/accounts">Accounts</a></p></div>
                """
        case .confirmationNotSent(let address, let diagnosis):
            return """
                <div class="outcome" id="outcome" data-outcome="confirmation-not-sent"><p>\(address) is linked, \
                but the confirmation e-mail could not be sent.</p>\(diagnosisBlock(diagnosis))
                <p><a class="button" id="next" href="/accounts">Send it again from Accounts</a></p></div>
                """
        case .needsManualSettings(let diagnosis):
            var form = job.form.prefilled(with: job.found)
            form.advanced = true
            // Signing in with the provider (AccountLinker.link(address:oauth:options:)) has no page here yet.
            var oauth: HTML = ""
            if self.oauth != nil {
                oauth = """
                    <form method="post" action="/accounts/oauth" id="oauth-form">\(csrfField(session))
                    <input type="hidden" name="job" value="\(job.id)">
                    <p>Or sign in with the provider instead of a password:</p>
                    <button type="submit" name="method" value="browser" id="oauth-browser">Sign in in this browser</button>
                    <button type="submit" name="method" value="device" id="oauth-device">Sign in with a code</button></form>
                    """
            } else if diagnosis.stage == .oauthRequired {
                oauth = """
                    <p class="hint" id="oauth-gap">This web mail cannot sign in with the provider yet: link the \
                    address with <code>linkmail add \(job.form.address) --home DIR --oauth device \
                    --oauth-client-id ID</code> on the same home.</p>
                    """
            }
            return """
                <div class="outcome failed" id="outcome" data-outcome="needs-manual-settings">
                <h2>We could not link this account</h2>\(diagnosisBlock(diagnosis))\(oauth)
                <h2>Try again</h2>\(addFormHTML(form, session: session, folders: folders))</div>
                """
        case .needsApproval(let settings):
            let outgoing: HTML = settings.outgoing.map { "<dt>Outgoing</dt><dd>\($0.description)</dd>" } ?? ""
            let reasons = settings.confirmationReasons.map { reason -> HTML in "<li>\(reason)</li>" }
            var form = job.form.prefilled(with: settings)
            form.advanced = true
            return """
                <div class="outcome" id="outcome" data-outcome="needs-approval">
                <h2>Use these settings?</h2>
                <p>They were found, but could have been planted by someone on the network, so no password \
                was sent to them yet.</p>
                <dl class="settings"><dt>Incoming</dt><dd id="found-incoming">\(settings.incoming.description)</dd>\(outgoing)
                <dt>Found in</dt><dd id="found-origin">\(settings.origin)</dd></dl>
                <ul class="reasons">\(reasons)</ul>
                <form method="post" action="/accounts/approve">\(csrfField(session))
                <input type="hidden" name="job" value="\(job.id)"><button type="submit" id="approve">Use these settings</button></form>
                <h2>Or enter the settings by hand</h2>\(addFormHTML(form, session: session, folders: folders))</div>
                """
        case .checked(let address, let diagnosis):
            let verdict: HTML =
                diagnosis.map { diagnosisBlock($0) } ?? "<p class=\"ok\" id=\"all-passed\">Every step passed.</p>"
            return """
                <div class="outcome" id="outcome" data-outcome="\(diagnosis == nil ? "passed" : "failed")">\(verdict)
                <p><a class="button" id="next" href="/accounts">Back to \(address) in Accounts</a></p></div>
                """
        }
    }

    // MARK: - Confirmation

    func checkEmailPage(_ request: WebRequest, session: SessionStore.Session) -> WebResponse {
        let address = request.queryValue("address") ?? ""
        let demoHint: HTML =
            demo == nil
            ? "" : "<p class=\"hint\">In this demo, that mailbox is on the <a href=\"/demo\">demo servers</a> page.</p>"
        return page(
            title: "Check your e-mail", session: session,
            body: """
                <h1>Check your e-mail</h1>
                <p>We sent a message to <strong id="sent-to">\(address)</strong>. Open it and follow its link to \
                confirm that the address is yours; its mail is fetched from then on.</p>\(demoHint)
                \(codeForm(address: address, session: session))
                """)
    }

    func codeForm(address: String, session: SessionStore.Session) -> HTML {
        """
        <form method="post" action="/confirm" class="code">\(csrfField(session))
        <label for="confirm-address">Address</label>
        <input id="confirm-address" name="address" type="email" value="\(address)">
        <label for="code">Or type the code from the e-mail</label>
        <input id="code" name="code" type="text" autocomplete="one-time-code" placeholder="ABCD-EFGH" maxlength="20">
        <button type="submit" id="confirm-code">Confirm</button>
        </form>
        """
    }

    /// Where the confirmation link lands. Following a link never changes anything by itself (mail
    /// scanners follow links too): the page asks, and the button confirms.
    func confirmLanding(
        _ request: WebRequest, session: SessionStore.Session, problem: LinkDiagnosis? = nil
    ) -> WebResponse {
        let token = request.queryValue("token") ?? ""
        let problemBlock: HTML = problem.map(diagnosisBlock) ?? ""
        let linkForm: HTML =
            token.isEmpty
            ? ""
            : """
            <form method="post" action="/confirm">\(csrfField(session))<input type="hidden" name="token" value="\(token)">
            <p>Confirm that this address is yours, and that its mail may be fetched into this mailbox.</p>
            <button type="submit" id="confirm-link">Confirm this address</button></form>
            """
        return page(
            title: "Confirm your address", session: session,
            body: "<h1>Confirm your address</h1>\(problemBlock)\(linkForm)\(codeForm(address: "", session: session))")
    }

    func confirm(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        let token = request.formValue("token") ?? ""
        let code = request.formValue("code") ?? ""
        do {
            let account = try await linker.confirm(
                token.isEmpty ? code : token, address: emailAddress(request.formValue("address")))
            let folder = account.folder
            return page(
                title: "Confirmed", session: session,
                body: """
                    <h1>Confirmed</h1>
                    <p id="confirmed">\(account.address.description) is confirmed. Its mail is being fetched into \
                    \(Self.diamond(account.marker)) \(folder.isInbox ? "the Inbox" : folder.path), and you can send as it.</p>
                    <p><a class="button" id="open-folder" href="\(HTML.url("/mail", [("folder", folder.path)]))">Open \
                    \(folder.isInbox ? "Inbox" : folder.path)</a></p>
                    """)
        } catch {
            let diagnosis = (error as? LinkDiagnosisError)?.diagnosis ?? LinkDiagnosis(error)
            return confirmLanding(
                WebRequest(method: "GET", path: "/confirm", query: [("token", token)]),
                session: session, problem: diagnosis)
        }
    }

    // MARK: - The demo's other side

    /// The fake authorization server's verification page: the "user" approves a code.
    func demoApprove(_ request: WebRequest, session: SessionStore.Session) -> WebResponse {
        guard let approve = demo?.approveSignIn else { return notFound(session: session) }
        let code = (request.formValue("code") ?? "").trimmingWhiteSpace()
        if approve(code) {
            notice("Signed in: the web mail may now use the mailbox.", for: session)
        } else {
            notice("The provider does not know the code \(code).", for: session, isProblem: true)
        }
        return redirect("/demo")
    }

    func demoPage(session: SessionStore.Session) async -> WebResponse {
        guard let demo else { return notFound(session: session) }
        let base = await linker.configuration.confirmationBaseURL + "?token="
        let mailboxes = demo.remoteMailboxes().map { message -> HTML in
            let summary = MessageSummary(message.bytes)
            let text = (try? MIMEPart(parsing: message.bytes))?.textBody ?? ""
            let links = text.split(whereSeparator: \.isWhitespace).map(String.init).filter { word in
                word.hasPrefix(base)
                    && word.dropFirst(base.count).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            }
            let link: HTML = links.first.map { "<p><a class=\"confirmation-link\" href=\"\($0)\">\($0)</a></p>" } ?? ""
            return """
                <li class="remote-message" data-mailbox="\(message.recipients.joined(separator: ", "))">\
                <strong>\(summary.subject)</strong> from \(summary.from) in \(message.recipients.joined(separator: ", "))\
                \(link)<details><summary>Show the message</summary><pre class="body">\(text)</pre></details></li>
                """
        }
        let sent = demo.sent().map { message -> HTML in
            let header = (try? MessageHeader(parsing: message.bytes)) ?? MessageHeader(fields: [])
            return """
                <tr class="sent-message"><td>\(message.place)</td><td class="envelope-from">\(message.envelopeSender ?? "")</td>\
                <td class="recipients">\(message.recipients.joined(separator: ", "))</td>\
                <td class="header-from">\(header.field(named: "From")?.value ?? "")</td>\
                <td class="subject">\(header.field(named: "Subject")?.value ?? "")</td></tr>
                """
        }
        let servers = demo.servers.map { line -> HTML in "<li>\(line)</li>" }
        let approval: HTML =
            demo.approveSignIn == nil
            ? ""
            : """
            <h2>The provider's sign-in page</h2>
            <form method="post" action="/demo/approve">\(csrfField(session))
            <label for="user-code">Code shown by the web mail</label>
            <input id="user-code" name="code" type="text" autocomplete="off">
            <button type="submit" id="approve-code">Sign in and allow access</button></form>
            """
        return page(
            title: "Demo servers", session: session,
            body: """
                <h1>Demo servers</h1>
                <p>Everything here runs on loopback: fake mail servers, over real TLS, standing in for the Internet.</p>
                <ul class="servers">\(servers)</ul>\(approval)
                <h2>The linked mailboxes, as their provider shows them</h2>
                <ul class="remote">\(mailboxes)</ul>
                <h2>Accepted by the outgoing servers</h2>
                <table class="sent"><thead><tr><th>Server</th><th>Envelope from</th><th>Recipients</th><th>From</th>\
                <th>Subject</th></tr></thead><tbody>\(sent)</tbody></table>
                """)
    }
}
