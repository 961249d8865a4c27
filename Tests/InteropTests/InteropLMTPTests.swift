import AccountLinking
import FolderRouting
import Foundation
import MailTesting
import MailTransport
import SMTPSender
import TestbedSupport
import Testing

/// The LMTP client and store against the bench's Dovecot LMTP (judy's folders; her Inbox is
/// left to the sync-worker suite).
@Suite("Interop: LMTP delivery into Dovecot", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropLMTPTests {
    struct MissingLMTP: Error, CustomStringConvertible {
        var description: String { "the bench has no LMTP listener (MAILLINK_LMTP_PORT); run scripts/testbed restart" }
    }

    static func endpoint(_ bench: TestbedEnvironment) throws -> Endpoint {
        guard let port = bench.lmtpPort else { throw MissingLMTP() }
        return Endpoint(host: bench.host, port: port, security: .insecurePlaintext)
    }

    /// The message part of a file Dovecot stored: what follows the trace fields it put in front
    /// (`Return-Path:`, `Received:` with its continuation lines, RFC 5321 §4.4).
    static func afterTraceFields(_ file: [UInt8], original: [UInt8]) -> (prefix: String, rest: [UInt8])? {
        guard file.count >= original.count, Array(file.suffix(original.count)) == original else { return nil }
        return (String(decoding: file.prefix(file.count - original.count), as: UTF8.self), original)
    }

    static func isTraceBlock(_ text: String) -> Bool {
        text.components(separatedBy: "\r\n").dropLast().allSatisfy {
            $0.hasPrefix("Return-Path:") || $0.hasPrefix("Received:") || $0.hasPrefix("\t") || $0.hasPrefix(" ")
                || $0.hasPrefix("Delivered-To:")
        }
    }

    @Test("the store delivers into the folder its address names, byte for byte, and only once")
    func storeDeliversOnce() async throws {
        let bench = try TestbedEnvironment.required()
        let judy = try bench.claimUser("judy")
        try bench.removeFolder("LMTPStore", of: judy)
        try bench.removeFolder("LMTPStore.Large", of: judy)
        try bench.removeFolder("LMTP spaced", of: judy)
        let records = NSTemporaryDirectory() + "maillink-lmtp-interop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: records) }
        let store = try LMTPMailStore(
            configuration: .init(
                endpoint: try Self.endpoint(bench), recipient: try LMTPRecipientTemplate("judy+{folder}@example.test"),
                recordDirectory: records, timeouts: .all(.seconds(30))))
        let folder = try Folder(path: "LMTPStore")
        let original = Array(
            "From: x@example.org\r\nSubject: =?UTF-8?B?w6k=?=\r\n\r\n.leading dot\r\nbody \u{e9}\r\n".utf8)
        let origin = MessageOrigin(account: "ivan@example.test", uidl: "interop-1")
        let first = try await store.deliver(IncomingMessage(bytes: original, folder: folder, origin: origin))
        #expect(first.isDelivered)
        let again = try await store.deliver(IncomingMessage(bytes: original, folder: folder, origin: origin))
        #expect(again == .duplicate(existing: first.id))
        // A second store over the same records (another worker) knows it too.
        let other = try LMTPMailStore(configuration: store.configuration)
        #expect(try await other.message(from: origin) == first.id)

        let files = bench.messageFiles(of: judy, folder: "LMTPStore")
        #expect(files.count == 1, "one file in judy's folder LMTPStore: \(files)")
        let stored = try Array(Data(contentsOf: URL(fileURLWithPath: try #require(files.first))))
        let split = try #require(
            Self.afterTraceFields(stored, original: original), "the original bytes end the stored file")
        #expect(Self.isTraceBlock(split.prefix), "only trace fields precede it: \(split.prefix)")

        // A large message streamed in chunks, into a nested folder.
        let line = Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".utf8)
        let large = Array("Subject: large\r\n\r\n".utf8) + Array(repeating: line, count: 32 * 1024).flatMap { $0 }
        let writer = try await store.beginDelivery(
            to: try Folder(path: "LMTPStore/Large"), marker: nil,
            origin: MessageOrigin(account: "ivan@example.test", uidl: "interop-2"))
        var offset = 0
        while offset < large.count {
            let end = min(large.count, offset + 65536)
            try await writer.append(Array(large[offset..<end]))
            offset = end
        }
        #expect(try await writer.commit().isDelivered)
        // A folder name with a space travels in a quoted local part.
        _ = try await store.deliver(IncomingMessage(bytes: original, folder: try Folder(["LMTP spaced"]), origin: nil))
        #expect(bench.messageFiles(of: judy, folder: "LMTP spaced").count == 1)
        await store.close()
        let largeFiles = bench.messageFiles(of: judy, folder: "LMTPStore.Large")
        #expect(largeFiles.count == 1)
        let storedLarge = try Array(Data(contentsOf: URL(fileURLWithPath: try #require(largeFiles.first))))
        #expect(Self.afterTraceFields(storedLarge, original: large) != nil, "the large message arrived whole")
    }

    @Test("Dovecot answers per recipient: an unknown mailbox is refused while judy's folder gets the message")
    func perRecipient() async throws {
        let bench = try TestbedEnvironment.required()
        let judy = try bench.claimUser("judy")
        try bench.removeFolder("LMTPClient", of: judy)
        let client = try await LMTPClient.connect(to: try Self.endpoint(bench), timeouts: .all(.seconds(30)))
        #expect(await client.capabilities.supportsPipelining)
        let result = try await client.deliver(
            Array("Subject: two recipients\r\n\r\nhello\r\n".utf8), from: try SMTPPath("x@example.org"),
            to: [try SMTPPath("judy+LMTPClient@example.test"), try SMTPPath("nobody@example.test")])
        try await client.quit()
        #expect(result.deliveredRecipients.map(\.address) == ["judy+LMTPClient@example.test"])
        #expect(result.failures.map(\.address) == ["nobody@example.test"])
        #expect(result.failures.first?.reply?.code == 550)
        #expect(bench.messageFiles(of: judy, folder: "LMTPClient").count == 1)
    }
}
