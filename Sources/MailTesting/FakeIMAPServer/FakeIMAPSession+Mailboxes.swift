#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The authenticated state's handlers: LIST (with special use, RFC 6154), STATUS, SELECT,
/// EXAMINE, CLOSE.
extension FakeIMAPSession {
    func handleLIST(_ request: FakeIMAPRequest) async throws {
        guard let user, request.arguments.count >= 2, let reference = request.arguments[0].text,
            let pattern = request.arguments[1].text
        else { return try await complete(request, "BAD LIST needs a reference and a pattern") }
        let wanted = reference + pattern
        for mailbox in server.mailboxes(of: user) where Self.matches(mailbox.name, pattern: wanted) {
            var attributes = ["\\HasNoChildren"]
            if configuration.offersSpecialUse, let use = mailbox.specialUse { attributes.append(use) }
            try await sendLine(
                "* LIST (\(attributes.joined(separator: " "))) \"\(configuration.delimiter)\" \(Self.quoted(mailbox.name))"
            )
        }
        try await complete(request, "OK LIST completed")
    }

    func handleSTATUS(_ request: FakeIMAPRequest) async throws {
        guard let user, request.arguments.count == 2, let name = request.arguments[0].text,
            case .list(let items) = request.arguments[1]
        else { return try await complete(request, "BAD STATUS needs a mailbox and items") }
        guard let mailbox = server.mailbox(name, of: user) else {
            return try await complete(request, "NO [NONEXISTENT] Mailbox doesn't exist: \(name)")
        }
        var values: [String] = []
        for item in items.compactMap(\.text).map({ $0.uppercased() }) {
            switch item {
            case "MESSAGES": values.append("MESSAGES \(mailbox.messages.count)")
            case "UIDNEXT": values.append("UIDNEXT \(mailbox.uidNext)")
            case "UIDVALIDITY": values.append("UIDVALIDITY \(mailbox.uidValidity)")
            case "UNSEEN": values.append("UNSEEN \(mailbox.messages.filter { !$0.flags.contains("\\Seen") }.count)")
            case "HIGHESTMODSEQ" where configuration.offersCONDSTORE:
                values.append("HIGHESTMODSEQ \(mailbox.highestModSeq)")
            default: return try await complete(request, "BAD unknown STATUS item \(item.prefix(20))")
            }
        }
        try await sendLine("* STATUS \(Self.quoted(mailbox.name)) (\(values.joined(separator: " ")))")
        try await complete(request, "OK STATUS completed")
    }

    func handleSELECT(_ request: FakeIMAPRequest) async throws {
        guard let user, let name = request.arguments.first?.text else {
            return try await complete(request, "BAD SELECT needs a mailbox")
        }
        let readOnly = request.verb == "EXAMINE"
        if case .selected = phase {
            phase = .authenticated
            if enabled.contains("CONDSTORE") { try await sendLine("* OK [CLOSED] Previous mailbox closed") }
        }
        guard let mailbox = server.mailbox(name, of: user) else {
            return try await complete(request, "NO [NONEXISTENT] Mailbox doesn't exist: \(name)")
        }
        if request.arguments.count > 1, case .list(let parameters) = request.arguments[1],
            parameters.compactMap(\.text).contains(where: { $0.uppercased() == "CONDSTORE" })
        {
            enabled.insert("CONDSTORE")
        }
        try await sendLine("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
        try await sendLine("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.")
        try await sendLine("* \(mailbox.messages.count) EXISTS")
        try await sendLine("* 0 RECENT")
        try await sendLine("* OK [UIDVALIDITY \(mailbox.uidValidity)] UIDs valid")
        try await sendLine("* OK [UIDNEXT \(mailbox.uidNext)] Predicted next UID")
        if configuration.offersCONDSTORE {
            try await sendLine("* OK [HIGHESTMODSEQ \(mailbox.highestModSeq)] Highest")
        }
        announcedCount = mailbox.messages.count
        phase = .selected(mailbox: mailbox.name, readOnly: readOnly)
        try await complete(request, "OK [\(readOnly ? "READ-ONLY" : "READ-WRITE")] \(request.verb) completed")
    }

    func handleCLOSE(_ request: FakeIMAPRequest) async throws {
        if case .selected(let name, false) = phase, let user {
            server.update(user: user, mailbox: name) { box in box.messages.removeAll { $0.flags.contains("\\Deleted") }
            }
        }
        phase = .authenticated
        try await complete(request, "OK CLOSE completed")
    }

    /// LIST patterns (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the delimiter.
    static func matches(_ name: String, pattern: String) -> Bool {
        let name = Array(name.utf8), pattern = Array(pattern.utf8)
        func match(_ n: Int, _ p: Int) -> Bool {
            if p == pattern.count { return n == name.count }
            if pattern[p] == UInt8(ascii: "*") || pattern[p] == UInt8(ascii: "%") {
                var next = n
                while true {
                    if match(next, p + 1) { return true }
                    guard next < name.count, pattern[p] == UInt8(ascii: "*") || name[next] != UInt8(ascii: "/") else {
                        return false
                    }
                    next += 1
                }
            }
            return n < name.count && name[n] == pattern[p] && match(n + 1, p + 1)
        }
        return match(0, 0)
    }

    /// A quoted string (the fake's own quoting).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
