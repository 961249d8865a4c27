import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailTransport
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension WebmailApp {
    /// Every linked account: its status, its last checks, and what can be done with it.
    func accountsPage(session: SessionStore.Session) async -> WebResponse {
        let accounts: [LinkedAccount]
        do { accounts = try await linker.accounts() } catch {
            return page(title: "Accounts", session: session, body: diagnosisBlock(LinkDiagnosis(error)))
        }
        let folders = await folderNames()
        var sections: [HTML] = []
        for account in accounts {
            sections.append(await accountSection(account, folders: folders, session: session))
        }
        let identities = (try? await linker.identities()) ?? []
        let defaultFrom = identities.first { $0.isDefault }?.address.description ?? ""
        return page(
            title: "Accounts", session: session,
            body: """
                <h1>Accounts</h1>
                <p>Mail is sent from <strong id="default-from">\(defaultFrom)</strong> unless you choose another address.</p>
                \(sections.isEmpty ? "<p class=\"empty\">No linked accounts yet.</p>" : HTML.joined(sections))
                <p><a class="button" href="/accounts/add">Add an e-mail account</a></p>
                """)
    }

    private func accountSection(
        _ account: LinkedAccount, folders: [String], session: SessionStore.Session
    ) async -> HTML {
        let address = account.address.description
        var history: [SyncCheck] = []
        var historyProblem: HTML = ""
        do {
            history = Array(try await linker.history(of: account.address).suffix(5).reversed())
        } catch {
            historyProblem =
                "<p class=\"problem\">The check history could not be read: \(LinkDiagnosis(error).summary)</p>"
        }
        let checks = history.map { check -> HTML in
            let result: String =
                switch check.result {
                case .success(let report): "fetched \(report.fetched) new message\(report.fetched == 1 ? "" : "s")"
                case .failure(let error): "failed: \(error.diagnosis.summary)"
                }
            return "<li><time>\(check.time.formatted(.iso8601))</time> \(result)</li>"
        }
        // Typed as HTML: a bare string literal here would be a String, and its markup escaped.
        let checksBlock: HTML =
            checks.isEmpty ? "<p class=\"empty\">Not checked yet.</p>" : "<ol class=\"checks\">\(checks)</ol>"
        let schedule = await linker.scheduler?.schedule(of: account.address)
        let next: HTML =
            schedule.map { "<dt>Next check</dt><dd>\($0.due.formatted(.iso8601)) (\($0.reason))</dd>" } ?? ""
        let status: String =
            account.attention.map { "needs attention: \($0)" }
            ?? (account.status == .confirmed
                ? "confirmed"
                : account.status == .pending
                    ? "waiting for confirmation" : "confirmation not sent")
        let copies: String =
            switch account.copies {
            case .keep: "kept on the server"
            case .delete: "deleted from the server once stored here"
            case .deleteAfter(let days): "deleted from the server after \(days) days"
            }
        let resend: HTML =
            account.status == .confirmed
            ? ""
            : action(
                "/accounts/resend", address: address, label: "Send the confirmation again", id: "resend",
                session: session)
        let markerOptions = MarkerColor.palette.map { marker -> HTML in
            let name = marker.name ?? marker.description
            let selected: HTML = account.marker == marker ? " selected" : ""
            return "<option value=\"\(name)\"\(selected)>\(name)</option>"
        }
        let folderOptions = folders.map { path -> HTML in "<option value=\"\(path)\"></option>" }
        let destination: String =
            switch account.destination {
            case .inbox: "inbox"
            case .accountFolder: "new"
            default: "folder"
            }
        func radio(_ value: String, _ label: String) -> HTML {
            let checked: HTML = destination == value ? " checked" : ""
            return "<label><input type=\"radio\" name=\"destination\" value=\"\(value)\"\(checked)> \(label)</label>"
        }
        let keep: HTML = account.keepCopiesOnServer ? " checked" : ""
        let slug = account.id.rawValue.map { $0.isLetter || $0.isNumber ? $0 : "-" }.map(String.init).joined()
        return """
            <section class="account" data-account="\(address)" aria-labelledby="account-\(slug)">
            <h2 id="account-\(slug)">\(Self.diamond(account.marker)) \(address)</h2>
            <dl class="settings"><dt>Status</dt><dd class="status" data-status="\(account.status.rawValue)">\(status)</dd>
            <dt>Folder</dt><dd>\(account.folder.isInbox ? "Inbox" : account.folder.path)</dd>
            <dt>Copies</dt><dd>\(copies)</dd>
            <dt>Incoming</dt><dd>\(account.incoming.description)</dd>
            <dt>Outgoing</dt><dd>\(account.outgoing?.description ?? "none: it cannot send yet")</dd>\(next)</dl>
            <h3>Last checks</h3>
            \(historyProblem)\(checksBlock)
            <div class="actions">
            \(action("/accounts/check-now", address: address, label: "Check now", id: "check-now", session: session))
            \(action("/accounts/troubleshoot", address: address, label: "Troubleshoot", id: "troubleshoot", session: session))
            \(resend)
            </div>
            <details><summary>Change folder, marker or copies</summary>
            <form method="post" action="/accounts/update">\(csrfField(session))
            <input type="hidden" name="address" value="\(address)">
            <fieldset><legend>New mail goes to</legend>\(radio("new", "Its own folder"))\(radio("inbox", "The Inbox"))
            \(radio("folder", "This folder:")) <input name="folder" type="text" list="folders-\(slug)" aria-label="Folder name" \
            value="\(destination == "folder" ? account.folder.path : "")"><datalist id="folders-\(slug)">\(folderOptions)</datalist>
            </fieldset>
            <label>Marker <select name="marker">\(markerOptions)</select></label>
            <label class="inline"><input type="checkbox" name="keep-copies"\(keep)> Leave copies on the server</label>
            <button type="submit">Save changes</button></form></details>
            <details><summary>Change password</summary>
            <form method="post" action="/accounts/password">\(csrfField(session))
            <input type="hidden" name="address" value="\(address)">
            <label>New password <input name="password" type="password" autocomplete="off" required></label>
            <button type="submit">Check and save</button></form></details>
            <details><summary>Unlink</summary>
            <form method="post" action="/accounts/unlink">\(csrfField(session))
            <input type="hidden" name="address" value="\(address)">
            <p>Its mail is no longer fetched and you can no longer send as it.</p>
            <label class="inline"><input type="checkbox" name="delete-mail"> Also delete the mail fetched from it</label>
            <button type="submit" class="danger" id="unlink">Unlink \(address)</button></form></details>
            </section>
            """
    }

    private func action(
        _ path: String, address: String, label: String, id: String, session: SessionStore.Session
    ) -> HTML {
        """
        <form method="post" action="\(path)" class="inline">\(csrfField(session))\
        <input type="hidden" name="address" value="\(address)"><button type="submit" class="\(id)">\(label)</button></form>
        """
    }

    /// The account the form names, or a page saying there is none.
    private func account(_ request: WebRequest, session: SessionStore.Session) async -> LinkedAccount? {
        guard let address = emailAddress(request.formValue("address")) else { return nil }
        return try? await linker.account(address)
    }

    /// Runs `work`, then goes back to the accounts page with what happened in words.
    private func accountAction(
        _ request: WebRequest, session: SessionStore.Session, _ work: (LinkedAccount) async throws -> String
    ) async -> WebResponse {
        guard let account = await account(request, session: session) else {
            notice("That account is not linked.", for: session, isProblem: true)
            return redirect("/accounts")
        }
        do {
            notice(try await work(account), for: session)
        } catch {
            let diagnosis = (error as? LinkDiagnosisError)?.diagnosis ?? LinkDiagnosis(error)
            notice(
                "\(account.address): \(diagnosis.summary). What to try: \(diagnosis.suggestion)", for: session,
                isProblem: true)
        }
        return redirect("/accounts")
    }

    func checkNow(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        await accountAction(request, session: session) { account in
            if let scheduler = await linker.scheduler {
                await scheduler.checkNow(account.address)
            } else {
                let linker = self.linker
                Task { _ = await linker.sync(account.address) }
            }
            return "Checking \(account.address) now."
        }
    }

    func updateAccount(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        await accountAction(request, session: session) { account in
            var change = AccountLinker.AccountChange()
            switch request.formValue("destination") {
            case "inbox": change.destination = .inbox
            case "folder":
                guard let folder = try? Folder(path: request.formValue("folder") ?? "") else {
                    return "Nothing changed: type the name of a folder."
                }
                change.destination = .folder(folder)
            default: change.destination = .newFolder
            }
            change.marker = request.formValue("marker").flatMap(MarkerColor.init)
            change.copies = request.formValue("keep-copies") == "on" ? .keep : .delete
            let updated = try await linker.update(account.address, change)
            return
                "Saved: \(updated.address)'s new mail goes to \(updated.folder.isInbox ? "the Inbox" : updated.folder.path)."
        }
    }

    func changePassword(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        await accountAction(request, session: session) { account in
            let password = request.formValue("password") ?? ""
            guard !password.isEmpty else { return "Nothing changed: type the new password." }
            try await linker.changeSecret(.password(password), for: account.address, verifying: true)
            return "The server accepted the new password of \(account.address); it is saved."
        }
    }

    func resend(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        await accountAction(request, session: session) { account in
            try await linker.resendConfirmation(for: account.address)
            return "A new confirmation e-mail was sent to \(account.address); earlier links and codes no longer work."
        }
    }

    func unlink(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        await accountAction(request, session: session) { account in
            let deleting = request.formValue("delete-mail") == "on"
            try await linker.unlink(account.address, deletingMail: deleting)
            return "\(account.address) is unlinked\(deleting ? " and its mail deleted here" : "")."
        }
    }

    /// The troubleshooting checklist, step by step, on the indicator page.
    func troubleshoot(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        guard let account = await account(request, session: session) else { return redirect("/accounts") }
        var form = AddAccountForm()
        form.address = account.address.description
        let job = Job(session: session.id, form: form, secret: nil)
        jobs.add(job)
        let configuration = await linker.configuration
        let secret = try? await configuration.credentials.secret(for: account.id)
        let check = ConnectionCheck(
            incoming: account.incoming, outgoing: account.outgoing,
            tlsPolicy: account.connection.tlsPolicy(over: configuration.tlsPolicy),
            timeouts: account.connection.timeouts(over: configuration.timeouts), connector: configuration.connector,
            allowInsecureAuthentication: configuration.allowInsecureAuthentication
                || account.connection.allowsInsecureAuthentication)
        let address = account.address.description
        Task {
            let diagnosis = await check.run(secret: secret) { step in
                job.append(
                    .init(
                        kind: step.skipped ? "skip" : step.passed ? "pass" : "fail",
                        text: "\(step.name): \(step.detail)"))
            }
            job.finish(.checked(address: address, diagnosis))
        }
        return redirect(HTML.url("/accounts/progress", [("job", job.id)]))
    }
}
