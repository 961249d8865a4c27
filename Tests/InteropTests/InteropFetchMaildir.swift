import Foundation
import MailTesting
import TestbedSupport

/// The bench-side plumbing of the fetch interop tests: the `linkmail fetch` arguments for a
/// bench user, a scratch Maildir, and what that Maildir's Inbox holds.
struct InteropFetchMaildir {
    /// The Maildir linkmail writes into (removed by ``remove()``).
    let path: String

    /// A new, not yet existing Maildir path under the temporary directory.
    init(label: String) {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("maillink-\(label)-\(UUID().uuidString)").path
    }

    /// `linkmail fetch` against the bench's POP3S port (IMAPS with `imap`), trusting the bench CA, as `user`.
    func fetchArguments(
        _ bench: TestbedEnvironment, _ user: TestbedUser, _ extra: [String] = [], imap: Bool = false
    ) -> [String] {
        let port = imap ? (bench.imapsPort ?? 0) : bench.pop3sPort
        return [
            "fetch", "--server", "\(bench.host):\(port)", "--security", "tls", "--ca", bench.caFile,
            "--user", user.address, "--maildir", path, "--timeout", "30",
        ] + (imap ? ["--protocol", "imap"] : []) + extra
    }

    /// The password goes through the environment, never the command line.
    static func environment(_ user: TestbedUser) -> [String: String] { ["LINKMAIL_PASSWORD": user.password] }

    /// Every message file in the Inbox (`new/` and `cur/`), as bytes.
    func inboxMessages() throws -> [[UInt8]] {
        var messages: [[UInt8]] = []
        for folder in ["new", "cur"] {
            let directory = path + "/" + folder
            guard FileManager.default.fileExists(atPath: directory) else { continue }
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
                messages.append(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
            }
        }
        return messages
    }

    /// How many message files the Inbox holds (cheap enough to poll).
    func fileCount() -> Int {
        ["new", "cur"].reduce(0) {
            $0 + ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + $1))?.count ?? 0)
        }
    }

    /// How many times each Message-ID occurs in the Inbox.
    func messageIDCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in try inboxMessages() {
            counts[InteropPOP3Fixtures.messageID(in: message) ?? "(no Message-ID)", default: 0] += 1
        }
        return counts
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
