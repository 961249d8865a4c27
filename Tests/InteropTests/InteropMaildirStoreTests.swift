import FolderRouting
import Foundation
import MailTesting
import TestbedSupport
import Testing

/// Dovecot reads what MaildirStore wrote: every message, byte for byte, in its folder.
///
/// No server is needed: Dovecot's own `pop3` and `imap` programs run pre-authenticated
/// on stdin/stdout (as for IMAP over SSH) with a minimal configuration pointing at the
/// store, as user `nobody` when the tests run as root (Dovecot refuses root).
@Suite(
    "Interop: Dovecot reads MaildirStore",
    .enabled(
        if: DovecotPreauth.isAvailable || TestbedEnvironment.interopRequired,
        "needs Dovecot's pop3 and imap programs (apt-get install dovecot-pop3d dovecot-imapd)"))
struct InteropMaildirStoreTests {
    static let work = Folder.named(afterAccount: "Work", avoiding: [])

    /// Messages with CRLF line ends (Dovecot serves stored bare LF as CRLF), a dot-stuffed
    /// line, 8-bit UTF-8 and a body of 300 KB.
    static func message(_ number: Int, size: Int = 0) -> [UInt8] {
        var text =
            "From: sender\(number)@example.org\r\nSubject: interop \(number) — привет\r\nMessage-ID: <interop-\(number)@maillink.test>\r\n\r\n"
        text += "line one\r\n.leading dot\r\n..two dots\r\n"
        while text.utf8.count < size { text += String(repeating: "x", count: 98) + "\r\n" }
        return Array(text.utf8)
    }

    @Test("POP3 on the Inbox and IMAP on every folder return exactly the delivered bytes")
    func dovecotReads() async throws {
        let dovecot = try #require(DovecotPreauth(), "Dovecot's pop3 and imap programs are not installed")
        defer { dovecot.removeDirectory() }
        let account = try Folder(["alice@example_com"])
        let cyrillic = try Folder(["Работа", "Клиенты"])
        let store = try await MaildirStore.open(at: dovecot.maildir)
        var expected: [Folder: [[UInt8]]] = [:]
        var batch = [IncomingMessage]()
        for number in 0..<9 {
            let folder = [Folder.inbox, account, cyrillic][number % 3]
            let bytes = Self.message(number, size: number == 4 ? 300_000 : 0)
            expected[folder, default: []].append(bytes)
            batch.append(
                IncomingMessage(
                    bytes: bytes, folder: folder, marker: .blue, origin: MessageOrigin(account: "a", uidl: "\(number)"))
            )
        }
        _ = try await store.deliver(batch)
        let streamed = Self.message(99, size: 100_000)
        let writer = try await store.beginDelivery(
            to: .inbox, marker: .red, origin: MessageOrigin(account: "a", uidl: "99"))
        for start in stride(from: 0, to: streamed.count, by: 4096) {
            try await writer.append(Array(streamed[start..<min(start + 4096, streamed.count)]))
        }
        _ = try await writer.commit()
        expected[.inbox, default: []].append(streamed)
        await store.close()
        try dovecot.handOver()

        let pop3 = try await dovecot.pop3Messages(count: expected[.inbox]?.count ?? 0)
        #expect(pop3.sizes == expected[.inbox]?.map(\.count))
        #expect(pop3.messages.sorted(by: Self.order) == expected[.inbox]?.sorted(by: Self.order))

        let listed = try await dovecot.imapFolders()
        // Dovecot also lists "Работа", the parent it infers (\NoSelect) from Maildir++'s flat names.
        #expect(Set(listed).isSuperset(of: ["INBOX", "alice@example_com", "Работа/Клиенты"]))
        for (folder, messages) in expected {
            let fetched = try await dovecot.imapMessages(in: folder.path)
            #expect(fetched.sorted(by: Self.order) == messages.sorted(by: Self.order), "folder \(folder): \(fetched.count) of \(messages.count) fetched, sizes \(fetched.map(\.count)) vs \(messages.map(\.count))")
        }
    }

    @Test("markers reach IMAP clients as keywords (Thunderbird's $label tags), also after a marker change")
    func markersAsKeywords() async throws {
        let dovecot = try #require(DovecotPreauth(), "Dovecot's pop3 and imap programs are not installed")
        defer { dovecot.removeDirectory() }
        let folder = try Folder(["Linked"])
        let store = try await MaildirStore.open(at: dovecot.maildir)
        let outcomes = try await store.deliver([
            IncomingMessage(bytes: Self.message(1), folder: folder, marker: .green, origin: MessageOrigin(account: "a", uidl: "1")),
            IncomingMessage(bytes: Self.message(2), folder: folder, marker: .teal, origin: MessageOrigin(account: "a", uidl: "2")),
            IncomingMessage(bytes: Self.message(3), folder: folder, marker: .blue, origin: MessageOrigin(account: "a", uidl: "3")),
        ])
        guard case .delivered(let third) = outcomes[2] else {
            Issue.record("not delivered: \(outcomes)")
            return
        }
        try await store.setMarker(.red, for: third.id)
        await store.close()
        try dovecot.handOver()
        let flags = try await dovecot.imapFlags(in: folder.path)
        #expect(flags.count == 3, "\(flags)")
        #expect(flags.first?.contains("$label3") == true, "\(flags)")
        #expect(flags.dropFirst().first?.contains("maillink-teal") == true, "\(flags)")
        #expect(flags.last?.contains("$label1") == true, "\(flags)")
        #expect(flags.last?.contains("$label4") == false, "\(flags)")
        #expect(flags.allSatisfy { !$0.contains("\\Seen") }, "a linked message arrives unread: \(flags)")
    }

    static func order(_ left: [UInt8], _ right: [UInt8]) -> Bool { left.lexicographicallyPrecedes(right) }
}

/// Runs Dovecot's `pop3` and `imap` programs pre-authenticated against a Maildir.
private struct DovecotPreauth: Sendable {
    static let pop3 = "/usr/lib/dovecot/pop3"
    static let imap = "/usr/lib/dovecot/imap"
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: pop3) && FileManager.default.isExecutableFile(atPath: imap)
    }

    let directory: String
    var maildir: String { directory + "/Maildir" }
    var configuration: String { directory + "/dovecot.conf" }
    /// Dovecot refuses to serve mail as root: then the programs run as `nobody`.
    let asNobody = geteuid() == 0

    init?() {
        guard DovecotPreauth.isAvailable else { return nil }
        directory = NSTemporaryDirectory() + "/maillink-dovecot-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil
        else {
            return nil
        }
    }

    func removeDirectory() { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes the configuration and gives the tree to the user the programs run as.
    func handOver() throws {
        try """
        mail_location = maildir:\(maildir)
        log_path = \(directory)/dovecot.log
        namespace inbox {
          inbox = yes
          separator = /
        }

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        guard asNobody else { return }
        for path in [directory] + (FileManager.default.subpaths(atPath: directory) ?? []).map({ directory + "/" + $0 })
        {
            chown(path, 65534, 65534)
        }
        chmod(directory, 0o755)
    }

    /// Runs one program with `input` on stdin; returns its stdout.
    /// Runs `program` pre-authenticated, a conversation of steps: each step's input is written,
    /// then output is read until that step's `until` text (its answer) has arrived. Nothing is
    /// pipelined past a large answer: Dovecot may end the session at LOGOUT before it has flushed
    /// an earlier FETCH, so LOGOUT is sent only once the FETCH answer is in.
    func run(_ program: String, steps: [(input: String, until: String)]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        var arguments = [program, "-c", configuration]
                        if asNobody { arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"] + arguments }
                        process.executableURL = URL(fileURLWithPath: asNobody ? "/usr/bin/setpriv" : program)
                        process.arguments = asNobody ? arguments : Array(arguments.dropFirst())
                        process.environment = [
                            "USER": asNobody ? "nobody" : NSUserName(), "HOME": directory, "PATH": "/usr/bin:/bin",
                        ]
                        let stdin = Pipe()
                        let stdout = Pipe()
                        process.standardInput = stdin
                        process.standardOutput = stdout
                        process.standardError = FileHandle.nullDevice
                        try process.run()
                        var output = Data()
                        for step in steps {
                            stdin.fileHandleForWriting.write(Data(step.input.utf8))
                            let answer = Data(step.until.utf8)
                            let from = output.count
                            while output[from...].range(of: answer) == nil {
                                let chunk = stdout.fileHandleForReading.availableData
                                if chunk.isEmpty { break }
                                output += chunk
                            }
                        }
                        try stdin.fileHandleForWriting.close()
                        output += stdout.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return [UInt8](output)
                    })
            }.start()
        }
    }

    /// The Inbox over POP3 (RFC 1939): the sizes LIST gives and every message RETR gives, dot-unstuffed.
    func pop3Messages(count: Int) async throws -> (sizes: [Int], messages: [[UInt8]]) {
        var input = "LIST\r\n"
        for number in 0..<count { input += "RETR \(number + 1)\r\n" }
        // An unknown command after the RETRs marks the end of their answers, so QUIT goes out only
        // once every message has arrived.
        input += "SENTINEL\r\n"
        var lines = Lines(
            try await run(
                DovecotPreauth.pop3, steps: [(input, "Unknown command"), ("QUIT\r\n", "+OK Logging out")]))
        // A pre-authenticated session sends no greeting: the first line answers LIST.
        guard lines.next()?.starts(with: Array("+OK".utf8)) == true else { return ([], []) }
        var sizes = [Int]()
        for line in lines.block() {
            let fields = String(decoding: line, as: UTF8.self).split(separator: " ")
            if fields.count == 2, let size = Int(fields[1]) { sizes.append(size) }
        }
        var messages = [[UInt8]]()
        for _ in 0..<count {
            guard lines.next()?.starts(with: Array("+OK".utf8)) == true else { break }
            messages.append(
                lines.block().reduce(into: [UInt8]()) { message, line in
                    message += line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line
                    message += [13, 10]
                })
        }
        return (sizes, messages)
    }

    /// The folder names IMAP LIST gives (RFC 3501 §6.3.8), decoded from modified UTF-7 by Dovecot's own rules.
    func imapFolders() async throws -> [String] {
        let output = String(
            decoding: try await run(
                DovecotPreauth.imap, steps: [("a LIST \"\" \"*\"\r\n", "\r\na OK"), ("b LOGOUT\r\n", "\r\nb OK")]), as: UTF8.self)
        return output.split(separator: "\r\n").filter { $0.hasPrefix("* LIST ") }.compactMap { line in
            guard let name = line.split(separator: " ").last else { return nil }
            let trimmed = name.hasPrefix("\"") ? String(name.dropFirst().dropLast()) : String(name)
            return decodeModifiedUTF7(trimmed)
        }
    }

    /// The flags of each message of a folder over IMAP (`FETCH 1:* FLAGS`), in message order.
    func imapFlags(in path: String) async throws -> [[String]] {
        let name = path.split(separator: "/").map { encodeModifiedUTF7(String($0)) }.joined(separator: "/")
        let output = String(
            decoding: try await run(
                DovecotPreauth.imap,
                steps: [
                    ("a SELECT \"\(name)\"\r\n", "\r\na OK"), ("b FETCH 1:* FLAGS\r\n", "\r\nb OK"),
                    ("c LOGOUT\r\n", "\r\nc OK"),
                ]), as: UTF8.self)
        return output.split(separator: "\r\n").filter { $0.hasPrefix("* ") && $0.contains(" FETCH (FLAGS (") }.map { line in
            let inside = line.split(separator: "FLAGS (", maxSplits: 1).last?.prefix { $0 != ")" } ?? ""
            return inside.split(separator: " ").map(String.init)
        }
    }

    /// Every message of a folder over IMAP: `FETCH 1:* BODY.PEEK[]`, each literal as it came.
    func imapMessages(in path: String) async throws -> [[UInt8]] {
        let name = path.split(separator: "/").map { encodeModifiedUTF7(String($0)) }.joined(separator: "/")
        let output = try await run(
            DovecotPreauth.imap,
            steps: [
                ("a SELECT \"\(name)\"\r\n", "\r\na OK"), ("b FETCH 1:* BODY.PEEK[]\r\n", "\r\nb OK"),
                ("c LOGOUT\r\n", "\r\nc OK"),
            ])
        var messages = [[UInt8]]()
        var index = 0
        let marker = Array("BODY[] {".utf8)
        while index + marker.count < output.count {
            guard Array(output[index..<index + marker.count]) == marker else {
                index += 1
                continue
            }
            var cursor = index + marker.count
            var length = 0
            while cursor < output.count, output[cursor] != UInt8(ascii: "}") {
                guard (48...57).contains(output[cursor]) else { return messages }
                length = length * 10 + Int(output[cursor] - 48)
                cursor += 1
            }
            cursor += 3  // "}\r\n"
            // A cut-short answer ends the list (the test then sees messages missing) rather than trapping.
            guard cursor + length <= output.count else { return messages }
            messages.append(Array(output[cursor..<cursor + length]))
            index = cursor + length
        }
        return messages
    }

    /// The test's own modified UTF-7 (RFC 3501 §5.1.3), written apart from FolderRouting's so that one bug cannot hide on both sides.
    func encodeModifiedUTF7(_ text: String) -> String {
        var result = ""
        var pending = [UInt16]()
        func flush() {
            guard !pending.isEmpty else { return }
            let data = Data(pending.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
            let base64 = data.base64EncodedString().replacingOccurrences(of: "/", with: ",").replacingOccurrences(
                of: "=", with: "")
            result += "&" + base64 + "-"
            pending = []
        }
        for scalar in text.unicodeScalars {
            if (0x20...0x7E).contains(scalar.value) {
                flush()
                result += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return result
    }

    func decodeModifiedUTF7(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            guard let dash = rest[ampersand...].firstIndex(of: "-") else { break }
            let encoded = rest[rest.index(after: ampersand)..<dash]
            if encoded.isEmpty {
                result += "&"
            } else {
                var base64 = encoded.replacingOccurrences(of: ",", with: "/")
                while base64.count % 4 != 0 { base64 += "=" }
                let bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
                let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                    UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
                }
                result += String(decoding: units, as: UTF16.self)
            }
            rest = rest[rest.index(after: dash)...]
        }
        return result + rest
    }
}

/// CRLF-separated lines of a POP3 session, with the multi-line block reader of RFC 1939 §3.
private struct Lines {
    private var lines: [[UInt8]]
    private var position = 0

    init(_ bytes: [UInt8]) {
        var lines = [[UInt8]]()
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 {
                lines.append(Array(bytes[start..<index]))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        self.lines = lines
    }

    mutating func next() -> [UInt8]? {
        guard position < lines.count else { return nil }
        defer { position += 1 }
        return lines[position]
    }

    /// The lines up to the terminating ".", still dot-stuffed.
    mutating func block() -> [[UInt8]] {
        var block = [[UInt8]]()
        while let line = next(), line != [UInt8(ascii: ".")] { block.append(line) }
        return block
    }
}
