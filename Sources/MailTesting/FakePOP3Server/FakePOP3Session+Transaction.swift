/// The TRANSACTION state's handlers: STAT, LIST, UIDL, RETR, TOP, DELE, RSET (RFC 1939 §5, §7).
extension FakePOP3Session {
    func handleSTAT() async throws {
        let live = liveIndexes
        try await sendLine("+OK \(live.count) \(live.reduce(0) { $0 + messages[$1].reportedSize })")
    }

    func handleLIST(_ words: [String]) async throws {
        if let word = words.first {
            guard let index = try await messageIndex(word) else { return }
            return try await sendLine("+OK \(index + 1) \(messages[index].reportedSize)")
        }
        let live = liveIndexes
        var text = "+OK \(live.count) messages\r\n"
        for index in live { text += "\(index + 1) \(messages[index].reportedSize)\r\n" }
        try await send(Array((text + ".\r\n").utf8))
    }

    func handleUIDL(_ words: [String]) async throws {
        guard configuration.offersTOPAndUIDL else { return try await sendLine("-ERR unknown command UIDL") }
        if let word = words.first {
            guard let index = try await messageIndex(word) else { return }
            return try await send(Array("+OK \(index + 1) ".utf8) + messages[index].uidBytes + [13, 10])
        }
        var out = Array("+OK\r\n".utf8)
        for index in liveIndexes { out += Array("\(index + 1) ".utf8) + messages[index].uidBytes + [13, 10] }
        try await send(out + Array(".\r\n".utf8))
    }

    func handleRETR(_ words: [String]) async throws {
        guard let word = words.first, let index = try await messageIndex(word) else { return }
        let message = messages[index]
        var out = Array("+OK \(message.reportedSize) octets\r\n".utf8)
        guard message.fillerSize > 0 else {
            Self.appendStuffed(message.content, to: &out)
            return try await send(out)
        }
        Self.appendStuffed(message.content, to: &out, terminated: false)
        try await send(out)
        try await sendFiller(message.fillerSize)
        try await send(Array(".\r\n".utf8))
    }

    /// Sends `count` bytes of generated body lines (none starts with a dot), 64 KiB at a time.
    private func sendFiller(_ count: Int) async throws {
        let line = Array(String(repeating: "f", count: 1022).utf8) + [13, 10]
        let chunk = Array([[UInt8]](repeating: line, count: 64).joined())
        var remaining = count
        while remaining > 0 {
            if remaining >= chunk.count {
                try await send(chunk)
                remaining -= chunk.count
            } else {
                // The last, short piece still ends its line.
                let tail = Array(repeating: UInt8(ascii: "f"), count: max(0, remaining - 2)) + [13, 10]
                try await send(Array(tail.suffix(remaining)))
                remaining = 0
            }
        }
    }

    func handleTOP(_ words: [String]) async throws {
        guard configuration.offersTOPAndUIDL else { return try await sendLine("-ERR unknown command TOP") }
        guard words.count == 2, let count = Int(words[1]), count >= 0 else {
            return try await sendLine("-ERR TOP needs a message number and a line count")
        }
        guard let index = try await messageIndex(words[0]) else { return }
        var out = Array("+OK\r\n".utf8)
        Self.appendStuffed(Self.headerAndLines(messages[index].content, count), to: &out)
        try await send(out)
    }

    func handleDELE(_ words: [String]) async throws {
        guard let word = words.first, let index = try await messageIndex(word) else { return }
        deleted.insert(index)
        try await sendLine("+OK message \(index + 1) deleted")
    }

    func handleRSET() async throws {
        deleted = []
        try await sendLine("+OK maildrop has \(messages.count) messages")
    }

    /// Indexes of messages not marked deleted.
    var liveIndexes: [Int] { messages.indices.filter { !deleted.contains($0) } }

    /// The index for a message-number argument, or nil after answering -ERR.
    private func messageIndex(_ word: String) async throws -> Int? {
        guard let number = Int(word), number >= 1, number <= messages.count else {
            try await sendLine("-ERR no such message")
            return nil
        }
        guard !deleted.contains(number - 1) else {
            try await sendLine("-ERR message \(number) already deleted")
            return nil
        }
        return number - 1
    }

    /// Appends `content` byte-stuffed (a dot doubled at the start of each line, RFC 1939 §3),
    /// a final CRLF if missing, and (when `terminated`) the terminating `.` line.
    static func appendStuffed(_ content: [UInt8], to out: inout [UInt8], terminated: Bool = true) {
        out.reserveCapacity(out.count + content.count + content.count / 64 + 5)
        // Line by line (not byte by byte), so that a large maildrop is served quickly even in
        // debug builds.
        var start = 0
        while start < content.count {
            if content[start] == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            let end = content[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? content.count
            out.append(contentsOf: content[start..<end])
            start = end
        }
        if content.last.map({ $0 != UInt8(ascii: "\n") }) ?? false { out += [13, 10] }
        if terminated { out += [UInt8(ascii: "."), 13, 10] }
    }

    /// The header, the blank line, and the first `count` body lines (what TOP returns).
    static func headerAndLines(_ content: [UInt8], _ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var inBody = false
        var bodyLines = 0
        var line: [UInt8] = []
        for byte in content {
            line.append(byte)
            guard byte == UInt8(ascii: "\n") else { continue }
            if inBody {
                guard bodyLines < count else { return out }
                bodyLines += 1
            } else if line == [13, 10] || line == [10] {
                inBody = true
            }
            out += line
            line.removeAll(keepingCapacity: true)
        }
        if !line.isEmpty && (!inBody || bodyLines < count) { out += line }
        return out
    }
}
