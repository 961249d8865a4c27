import MailTransport

/// The selected state's handlers: UID SEARCH, UID FETCH, UID STORE, UID EXPUNGE, EXPUNGE, and
/// IDLE (RFC 2177), which announces deliveries as they happen.
extension FakeIMAPSession {
    private var selection: (user: String, mailbox: String, readOnly: Bool)? {
        guard let user, case .selected(let mailbox, let readOnly) = phase else { return nil }
        return (user, mailbox, readOnly)
    }

    private var messages: [FakeIMAPMessage] {
        guard let selection else { return [] }
        return server.messages(in: selection.mailbox, of: selection.user)
    }

    func handleSEARCH(_ request: FakeIMAPRequest) async throws {
        let all = messages
        var found = all
        var index = 0
        let words = request.arguments
        while index < words.count {
            let key = words[index].text?.uppercased() ?? ""
            switch key {
            case "ALL": break
            case "DELETED": found = found.filter { $0.flags.contains("\\Deleted") }
            case "UNDELETED": found = found.filter { !$0.flags.contains("\\Deleted") }
            case "SEEN": found = found.filter { $0.flags.contains("\\Seen") }
            case "UNSEEN": found = found.filter { !$0.flags.contains("\\Seen") }
            case "UID":
                index += 1
                guard index < words.count, let set = words[index].text.flatMap({ Self.uidSet($0, last: all.last?.uid) })
                else { return try await complete(request, "BAD UID SEARCH needs a UID set") }
                found = found.filter { set($0.uid) }
            default:
                return try await complete(request, "BAD unsupported search key \(key.prefix(20))")
            }
            index += 1
        }
        try await sendLine("* SEARCH" + found.map { " \($0.uid)" }.joined())
        try await complete(request, "OK SEARCH completed")
    }

    func handleFETCH(_ request: FakeIMAPRequest) async throws {
        guard let selection, request.arguments.count >= 2, let setText = request.arguments[0].text else {
            return try await complete(request, "BAD UID FETCH needs a UID set and items")
        }
        let all = messages
        guard let inSet = Self.uidSet(setText, last: all.last?.uid) else {
            return try await complete(request, "BAD invalid UID set")
        }
        let items = request.arguments[1].words.map { $0.uppercased() }
        var changedSince: UInt64?
        if request.arguments.count > 2, case .list(let modifier) = request.arguments[2], modifier.count == 2,
            modifier[0].text?.uppercased() == "CHANGEDSINCE"
        {
            changedSince = modifier[1].text.flatMap { UInt64($0) }
        }
        for (position, message) in all.enumerated() where inSet(message.uid) {
            if let changedSince, message.modSeq <= changedSince { continue }
            var current = message
            if items.contains("BODY[]") || items.contains("RFC822"), !selection.readOnly {
                // RFC 9051 §6.4.5: BODY[] sets \Seen; BODY.PEEK[] does not.
                server.update(user: selection.user, mailbox: selection.mailbox) { box in
                    guard let index = box.messages.firstIndex(where: { $0.uid == message.uid }) else { return }
                    if box.messages[index].flags.insert("\\Seen").inserted {
                        box.highestModSeq += 1
                        box.messages[index].modSeq = box.highestModSeq
                    }
                    current = box.messages[index]
                }
            }
            var parts = ["UID \(current.uid)"]
            var body: [UInt8]?
            for item in items {
                switch item {
                case "UID": break
                case "RFC822.SIZE": parts.append("RFC822.SIZE \(current.content.count)")
                case "FLAGS": parts.append("FLAGS (\(current.flags.sorted().joined(separator: " ")))")
                case "INTERNALDATE": parts.append("INTERNALDATE \"\(current.internalDate)\"")
                case "MODSEQ": parts.append("MODSEQ (\(current.modSeq))")
                case "BODY[]", "BODY.PEEK[]", "RFC822": body = current.content
                default: return try await complete(request, "BAD unsupported FETCH item \(item.prefix(30))")
                }
            }
            if changedSince != nil, !items.contains("MODSEQ") { parts.append("MODSEQ (\(current.modSeq))") }
            var line = "* \(position + 1) FETCH (" + parts.joined(separator: " ")
            if let body {
                line += " BODY[] {\(body.count)}\r\n"
                try await send(Array(line.utf8) + body + Array(")\r\n".utf8))
            } else {
                try await sendLine(line + ")")
            }
        }
        try await complete(request, "OK FETCH completed")
    }

    func handleSTORE(_ request: FakeIMAPRequest) async throws {
        guard let selection, request.arguments.count == 3, let setText = request.arguments[0].text,
            let mode = request.arguments[1].text?.uppercased()
        else { return try await complete(request, "BAD UID STORE needs a set, a mode and flags") }
        guard !selection.readOnly else { return try await complete(request, "NO [READ-ONLY] mailbox is read-only") }
        let flags = Set(request.arguments[2].words)
        let all = messages
        guard let inSet = Self.uidSet(setText, last: all.last?.uid) else {
            return try await complete(request, "BAD invalid UID set")
        }
        let silent = mode.hasSuffix(".SILENT")
        let operation = silent ? String(mode.dropLast(".SILENT".count)) : mode
        guard ["+FLAGS", "-FLAGS", "FLAGS"].contains(operation) else {
            return try await complete(request, "BAD unknown STORE mode")
        }
        let changed: [(Int, FakeIMAPMessage)] =
            server.update(user: selection.user, mailbox: selection.mailbox) { box in
                var changed: [(Int, FakeIMAPMessage)] = []
                for index in box.messages.indices where inSet(box.messages[index].uid) {
                    switch operation {
                    case "+FLAGS": box.messages[index].flags.formUnion(flags)
                    case "-FLAGS": box.messages[index].flags.subtract(flags)
                    default: box.messages[index].flags = flags
                    }
                    box.highestModSeq += 1
                    box.messages[index].modSeq = box.highestModSeq
                    changed.append((index + 1, box.messages[index]))
                }
                return changed
            } ?? []
        if !silent {
            for (number, message) in changed {
                try await sendLine(
                    "* \(number) FETCH (UID \(message.uid) FLAGS (\(message.flags.sorted().joined(separator: " "))))")
            }
        }
        try await complete(request, "OK STORE completed")
    }

    func handleEXPUNGE(_ request: FakeIMAPRequest) async throws {
        guard let selection else { return }
        guard !selection.readOnly else { return try await complete(request, "NO [READ-ONLY] mailbox is read-only") }
        var inSet: (UInt32) -> Bool = { _ in true }
        if request.verb == "UID EXPUNGE" {
            guard configuration.offersUIDPLUS else {
                return try await complete(request, "BAD unknown command UID EXPUNGE")
            }
            guard let text = request.arguments.first?.text, let set = Self.uidSet(text, last: messages.last?.uid) else {
                return try await complete(request, "BAD UID EXPUNGE needs a UID set")
            }
            inSet = set
        }
        let removed: [Int] =
            server.update(user: selection.user, mailbox: selection.mailbox) { box in
                var numbers: [Int] = []
                var index = 0
                while index < box.messages.count {
                    let message = box.messages[index]
                    if message.flags.contains("\\Deleted"), inSet(message.uid) {
                        box.messages.remove(at: index)
                        numbers.append(index + 1)  // sequence numbers shift down after each EXPUNGE
                    } else {
                        index += 1
                    }
                }
                return numbers
            } ?? []
        for number in removed { try await sendLine("* \(number) EXPUNGE") }
        announcedCount -= removed.count
        try await complete(request, "OK EXPUNGE completed")
    }

    /// IDLE (RFC 2177): `+ idling`, then `* n EXISTS` whenever mail is delivered, until `DONE`.
    func handleIDLE(_ request: FakeIMAPRequest) async throws {
        guard configuration.offersIDLE else { return try await complete(request, "BAD unknown command IDLE") }
        let (deliveries, token) = server.watchDeliveries()
        defer { server.stopWatching(token) }
        try await sendLine("+ idling")
        try await announceNewMessages()
        let server = self.server, connection = self.connection, known = announcedCount
        let selection = self.selection
        let notifier = Task<Int, Never> {
            var announced = known
            for await _ in deliveries {
                guard let selection else { continue }
                let count = server.messages(in: selection.mailbox, of: selection.user).count
                guard count > announced else { continue }
                announced = count
                try? await connection.send(Array("* \(count) EXISTS\r\n".utf8))
            }
            return announced
        }
        let line = String(decoding: try await reader.readLine(), as: UTF8.self)
        server.stopWatching(token)
        announcedCount = await notifier.value
        guard line.uppercased() == "DONE" else { return try await complete(request, "BAD expected DONE") }
        try await complete(request, "OK IDLE terminated")
    }

    /// Sends `* n EXISTS` when messages arrived since the client was last told.
    func announceNewMessages() async throws {
        guard selection != nil else { return }
        let count = messages.count
        if count != announcedCount {
            announcedCount = count
            try await sendLine("* \(count) EXISTS")
        }
    }

    /// The fake's own reading of a UID set (`1:3,5,9:*`); `*` is the last UID (RFC 9051 §9).
    static func uidSet(_ text: String, last: UInt32?) -> ((UInt32) -> Bool)? {
        var ranges: [ClosedRange<UInt32>] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: ":").map { $0 == "*" ? (last ?? 0) : UInt32($0) }
            guard (1...2).contains(bounds.count), let low = bounds.first!, let high = bounds.last! else { return nil }
            ranges.append(min(low, high)...max(low, high))
        }
        guard !ranges.isEmpty else { return nil }
        return { uid in ranges.contains { $0.contains(uid) } }
    }
}
