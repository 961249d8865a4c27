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

/// What a message list shows of a message, read once from its header.
struct MessageSummary: Sendable {
    var from: String
    var fromAddress: String?
    var to: String
    var subject: String
    var date: String

    init(_ bytes: [UInt8]) {
        let header = (try? MessageHeader(parsing: bytes)) ?? MessageHeader(fields: [])
        let fromField = header.field(named: "From")
        let mailbox = fromField.flatMap { AddressList(field: $0).mailboxes.first }
        from = mailbox.map { $0.displayName ?? $0.address.description } ?? fromField?.value ?? "(no sender)"
        fromAddress = mailbox?.address.description
        to = header.field(named: "To")?.value ?? ""
        let subject = header.field(named: "Subject")?.value ?? ""
        self.subject = subject.isEmpty ? "(no subject)" : subject
        date = header.field(named: "Date")?.value ?? ""
    }
}

extension WebmailApp {
    /// The folders to list: the Inbox, every folder of the store, and each linked account's folder.
    func folderList(accounts: [LinkedAccount]) async throws -> [(folder: Folder, marker: MarkerColor?, unread: Int)] {
        var folders = [Folder.inbox]
        for folder in try await store.folders() + accounts.map(\.folder) where !folders.contains(folder) {
            folders.append(folder)
        }
        var result: [(Folder, MarkerColor?, Int)] = []
        let seen = self.seen.withLock { $0 }
        for folder in folders {
            let messages = (try? await store.messages(in: folder)) ?? []
            let unread = messages.filter { !$0.isSeen && !seen.contains($0.id) }.count
            let marker = folder.isInbox ? nil : accounts.first { $0.folder == folder }?.marker
            result.append((folder, marker, unread))
        }
        return result
    }

    func summary(of message: StoredMessage) async -> MessageSummary {
        if let cached = summaries.withLock({ $0[message.id] }) { return cached }
        let bytes = (try? await store.read(message.id)) ?? []
        let summary = MessageSummary(Array(bytes.prefix(64 << 10)))
        summaries.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[message.id] = summary
        }
        return summary
    }

    /// The mailbox: the folder list with diamonds and unread counts, the "Add an e-mail account"
    /// button below it, and the chosen folder's messages.
    func mailbox(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        let folder = (try? Folder(path: request.queryValue("folder") ?? "INBOX")) ?? .inbox
        let content: HTML
        do {
            content = try await mailboxContent(folder)
        } catch {
            return page(title: "Mail", session: session, body: diagnosisBlock(LinkDiagnosis(error)))
        }
        // The version lets the page's script skip a refresh that would change nothing (and move the focus).
        let version = Self.version(of: content)
        if request.header("x-webmail-fragment") == "mailbox" {
            var response = fragment(content)
            response.headers.append(("X-Webmail-Version", version))
            return response
        }
        return page(
            title: folder.isInbox ? "Inbox" : folder.path, session: session,
            body: "<div id=\"mailbox\" data-live=\"mail\" data-version=\"\(version)\">\(content)</div>")
    }

    /// FNV-1a (64 bits) of the markup, in hex: equal markup, equal version.
    static func version(of markup: HTML) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in markup.rendered.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    func mailboxContent(_ folder: Folder) async throws -> HTML {
        let accounts = try await linker.accounts()
        let folders = try await folderList(accounts: accounts)
        let items = folders.map { entry -> HTML in
            let current: HTML = entry.folder == folder ? " aria-current=\"page\"" : ""
            let unread: HTML = entry.unread > 0 ? "<span class=\"unread\" title=\"unread\">\(entry.unread)</span>" : ""
            return """
                <li><a href="\(HTML.url("/mail", [("folder", entry.folder.path)]))"\(current) \
                data-folder="\(entry.folder.path)">\(Self.diamond(entry.marker)) \
                <span class="name">\(entry.folder.isInbox ? "Inbox" : entry.folder.path)</span> \(unread)</a></li>
                """
        }
        // An account's folder exists once its first sync stored something: until then it is
        // empty, and the page waits for its mail like any other.
        let all: [StoredMessage]
        do {
            all = try await store.messages(in: folder)
        } catch let error as MailStoreError where error.code == .folderNotFound {
            all = []
        }
        let messages = all.sorted { $0.id.rawValue > $1.id.rawValue }.prefix(200)
        let seen = self.seen.withLock { $0 }
        var rows: [HTML] = []
        for message in messages {
            let summary = await summary(of: message)
            let unread = !message.isSeen && !seen.contains(message.id)
            let link = HTML.url("/message", [("id", message.id.rawValue), ("folder", folder.path)])
            rows.append(
                """
                <tr class="\(unread ? "is-unread" : "is-read")" data-message="\(message.id.rawValue)">\
                <td class="marker">\(Self.diamond(message.marker))</td>\
                <td class="from">\(summary.from)</td>\
                <td class="subject"><a href="\(link)">\(summary.subject)</a></td>\
                <td class="date">\(summary.date)</td></tr>
                """)
        }
        let list: HTML =
            rows.isEmpty
            ? "<p class=\"empty\">No messages in this folder.</p>"
            : """
            <table class="messages"><thead><tr><th><span class="visually-hidden">Marker</span></th>\
            <th>From</th><th>Subject</th><th>Date</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return """
            <div class="mail">
            <nav class="folders" aria-label="Folders"><h2>Folders</h2><ul>\(items)</ul>
            <p><a class="button" id="add-account" href="/accounts/add">Add an e-mail account</a></p></nav>
            <section class="list" aria-label="Messages"><h1>\(folder.isInbox ? "Inbox" : folder.path)</h1>\(list)</section>
            </div>
            """
    }

    /// One message: its header fields and its text, escaped; Reply picks the address it came to.
    func messageView(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        guard let id = request.queryValue("id").map(StoredMessage.ID.init),
            let stored = try? await store.message(id), let bytes = try? await store.read(id)
        else { return notFound(session: session) }
        seen.withLock { _ = $0.insert(id) }
        let summary = MessageSummary(bytes)
        let part = try? MIMEPart(parsing: bytes)
        let text = part?.textBody ?? part?.htmlBody ?? String(decoding: bytes, as: UTF8.self)
        let folder = stored.folder
        return page(
            title: summary.subject, session: session,
            body: """
                <article class="message" data-message="\(id.rawValue)">
                <p><a href="\(HTML.url("/mail", [("folder", folder.path)]))">← \(folder.isInbox ? "Inbox" : folder.path)</a></p>
                <h1>\(Self.diamond(stored.marker)) <span class="subject">\(summary.subject)</span></h1>
                <dl class="fields"><dt>From</dt><dd class="from">\(summary.from)\
                \(summary.fromAddress.map { address -> HTML in " &lt;\(address)&gt;" } ?? "")</dd>
                <dt>To</dt><dd class="to">\(summary.to)</dd><dt>Date</dt><dd>\(summary.date)</dd></dl>
                <p><a class="button" id="reply" href="\(HTML.url("/compose", [("reply", id.rawValue)]))">Reply</a></p>
                <pre class="body">\(text)</pre>
                </article>
                """)
    }

    /// Compose: the From menu lists every identity, the default preselected; a reply preselects
    /// the identity the message came to (``AccountLinker/replyIdentity(for:)``).
    func compose(
        _ request: WebRequest, session: SessionStore.Session, error: LinkDiagnosis? = nil,
        typed: [String: String] = [:]
    ) async -> WebResponse {
        let identities = (try? await linker.identities()) ?? []
        var selected = identities.first { $0.isDefault }?.address.description
        var to = typed["to"] ?? "", subject = typed["subject"] ?? "", body = typed["body"] ?? ""
        var reply = typed["reply"] ?? ""
        if let id = request.queryValue("reply").map(StoredMessage.ID.init), let stored = try? await store.message(id),
            let bytes = try? await store.read(id)
        {
            reply = id.rawValue
            if let identity = try? await linker.replyIdentity(for: stored) { selected = identity.address.description }
            let summary = MessageSummary(bytes)
            to = summary.fromAddress ?? ""
            subject = summary.subject.lowercased().hasPrefix("re:") ? summary.subject : "Re: " + summary.subject
            let text = (try? MIMEPart(parsing: bytes))?.textBody ?? ""
            body =
                "\n\n"
                + text.split(separator: "\n", omittingEmptySubsequences: false).prefix(200)
                .map { "> " + $0 }.joined(separator: "\n")
        }
        if let from = typed["from"] { selected = from }
        let options = identities.map { identity -> HTML in
            let address = identity.address.description
            let isSelected: HTML = address == selected ? " selected" : ""
            return
                "<option value=\"\(address)\"\(isSelected)>\(address)\(identity.isDefault ? " (default)" : "")</option>"
        }
        let problem: HTML = error.map(diagnosisBlock) ?? ""
        return page(
            title: "New message", session: session,
            body: """
                <h1>New message</h1>\(problem)
                <form method="post" action="/compose" class="compose">\(csrfField(session))
                <input type="hidden" name="reply" value="\(reply)">
                <label for="from">From</label><select id="from" name="from">\(options)</select>
                <label for="to">To</label><input id="to" name="to" type="text" value="\(to)" required \
                placeholder="someone@example.com, another@example.org">
                <label for="subject">Subject</label><input id="subject" name="subject" type="text" value="\(subject)">
                <label for="body">Message</label><textarea id="body" name="body" rows="12">\(body)</textarea>
                <button type="submit" id="send">Send</button>
                </form>
                """)
    }

    func send(_ request: WebRequest, session: SessionStore.Session) async -> WebResponse {
        let typed = Dictionary(request.form.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        do {
            let from = try EmailAddress(typed["from"] ?? "")
            var message = try await linker.newMessage(from: from)
            let list = AddressList(parsing: typed["to"] ?? "")
            guard list.invalid.isEmpty, !list.mailboxes.isEmpty else {
                throw LinkDiagnosisError(
                    LinkDiagnosis(
                        stage: .other, summary: "the To field does not hold e-mail addresses",
                        suggestion: "Type each address in full, separated by commas."))
            }
            message.to = list.mailboxes
            message.subject = typed["subject"] ?? ""
            message.textBody = (typed["body"] ?? "").replacing("\r\n", with: "\n")
            try await linker.send(message)
            notice(
                "Sent from \(from) to \(list.mailboxes.map(\.address.description).joined(separator: ", ")).",
                for: session)
            return redirect("/mail")
        } catch let error as LinkDiagnosisError {
            return await compose(
                WebRequest(method: "GET", path: "/compose"), session: session, error: error.diagnosis, typed: typed)
        } catch {
            return await compose(
                WebRequest(method: "GET", path: "/compose"), session: session, error: LinkDiagnosis(error), typed: typed
            )
        }
    }

    /// Server-sent events for the mailbox: `mail` whenever a sync finished or failed, so the page
    /// fetches its folder list and messages again without a reload.
    func mailEvents() -> WebResponse {
        let linker = self.linker
        return WebResponse(
            headers: Self.securityHeaders,
            body: .events { writer in
                let events = await linker.syncEvents()
                // Whichever ends first (the client went away, found by a failed send) ends both.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await writer.send(event: "ready", data: "{}")
                            for await event in events {
                                switch event.kind {
                                case .finished, .failed, .needsAttention:
                                    try await writer.send(event: "mail", data: "{}")
                                default: continue
                                }
                            }
                        } catch {
                            return
                        }
                    }
                    group.addTask {
                        while true {
                            do {
                                try await Task.sleep(for: .seconds(15))
                                try await writer.keepAlive()
                            } catch {
                                return
                            }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
            })
    }
}
