import Foundation
import MailTesting
import TestbedSupport
import Testing

/// The Hotmail flow through `linkmail` as a person types it, offline: fake POP3 and SMTP servers
/// on loopback TLS with a throwaway CA, one home folder, and every command of the lifecycle.
@Suite("linkmail init, add, confirm, sync, accounts, identities, compose, resend, update, unlink", .serialized)
struct AccountCommandsTests {
    final class Fixture: Sendable {
        static let primary = "me@primary.test"
        static let linked = "you@linked.test"
        let authority: TestCertificateAuthority
        /// The linked mailbox's server has a certificate from another CA, which only `add --ca` trusts.
        let pop3Authority: TestCertificateAuthority
        let pop3: FakePOP3Server
        let pop3Listener: LoopbackListener
        let smtp: FakeSMTPServer
        let smtpListener: LoopbackListener
        let serving: Task<Void, Never>
        let home: String
        let primaryPassword: String
        let linkedPassword: String

        init() throws {
            authority = try TestCertificateAuthority()
            let certificate = try authority.issue()
            pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: [Self.linked: "linked-pw"]))
            for number in 1...3 {
                pop3.deliver(
                    FakePOP3Message(uid: "m\(number)", text: "From: a@b.test\r\nSubject: old \(number)\r\n\r\nbody \(number)\r\n"),
                    to: Self.linked)
            }
            pop3Authority = try TestCertificateAuthority(commonName: "linked mailbox CA")
            pop3Listener = try pop3.listen(certificate: try pop3Authority.issue(), implicitTLS: true)
            smtp = FakeSMTPServer(configuration: .init(
                accounts: SASLServerAccounts(passwords: [Self.primary: "primary-pw", Self.linked: "linked-pw"]),
                requiresAuthentication: true))
            smtpListener = try LoopbackListener(certificate: certificate)
            let server = smtp
            let listener = smtpListener
            serving = Task { await server.serve(listener) }
            home = authority.directory + "/home"
            primaryPassword = authority.directory + "/primary-pw"
            linkedPassword = authority.directory + "/linked-pw"
            // CRLF line ends, as an editor on another system writes them: only the first line counts.
            try Data("primary-pw\r\nsecond line\r\n".utf8).write(to: URL(fileURLWithPath: primaryPassword))
            try Data("linked-pw\r\n".utf8).write(to: URL(fileURLWithPath: linkedPassword))
        }

        var smtpServer: [String] { ["--server", "127.0.0.1:\(smtpListener.port)", "--security", "starttls"] }

        func run(_ arguments: [String]) async throws -> ExecutableRunner.Result {
            try await LinkmailRunner.run(arguments)
        }

        func initialize(_ extra: [String] = []) async throws -> ExecutableRunner.Result {
            try await run(
                ["init", "--home", home, "--primary", Self.primary] + smtpServer
                    + ["--ca", authority.caFile, "--password-file", primaryPassword, "--verify-base-url",
                       "https://mail.primary.test/confirm", "--timeout", LinkmailRunner.timeout] + extra)
        }

        func add(_ extra: [String] = []) async throws -> ExecutableRunner.Result {
            try await run(
                ["add", Self.linked, "--home", home, "--server", "127.0.0.1:\(pop3Listener.port)", "--security", "tls",
                 "--smtp", "127.0.0.1:\(smtpListener.port)", "--smtp-security", "starttls",
                 "--ca", pop3Authority.caFile, "--password-file", linkedPassword, "--timeout", LinkmailRunner.timeout] + extra)
        }

        /// The link and the code of the newest confirmation e-mail the fake SMTP server accepted.
        func confirmation() throws -> (link: String, code: String) {
            guard let message = smtp.receivedMessages.last(where: { $0.recipients.contains(Self.linked) }) else {
                throw FixtureError("no confirmation received")
            }
            let text = String(decoding: message.data, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
            guard let link = text.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("https://mail.primary.test/confirm?token=") }),
                let code = text.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("    ") && $0.count == 13 })
            else { throw FixtureError("no link or code in \(text)") }
            return (String(link), code.trimmingCharacters(in: .whitespaces))
        }

        func files(in folder: String) -> [String] {
            ["new", "cur"].flatMap { sub in
                (try? FileManager.default.contentsOfDirectory(atPath: home + "/Maildir/" + folder + "/" + sub)) ?? []
            }
        }

        func close() {
            pop3Listener.close()
            smtpListener.close()
            serving.cancel()
            authority.remove()
            pop3Authority.remove()
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("the whole lifecycle: init, add, confirm by link, accounts, identities, compose, update, sync, unlink")
    func lifecycle() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let initialized = try await fixture.initialize(["--confirmation-expiry", "30m"])
        #expect(initialized.status == 0, "\(initialized.standardError)")

        let added = try await fixture.add(["--marker", "green"])
        #expect(added.status == 0, "\(added.standardOutput)\n\(added.standardError)")
        #expect(added.standardOutput.contains("confirmation sent to \(Fixture.linked)"))
        // The primary's password file had CRLF line ends: AUTH carried the first line only.
        #expect(fixture.smtp.receivedMessages.count == 1)
        let (link, _) = try fixture.confirmation()
        let body = String(decoding: try #require(fixture.smtp.receivedMessages.last).data, as: UTF8.self)
        #expect(body.contains("30 minutes"))

        let pending = try await fixture.run(["accounts", "--home", fixture.home, "--json"])
        #expect(pending.status == 0)
        let listing = try #require(try JSONSerialization.jsonObject(with: Data(pending.standardOutput.utf8)) as? [String: Any])
        let accounts = try #require(listing["accounts"] as? [[String: Any]])
        #expect(accounts.first?["status"] as? String == "pending")
        #expect(accounts.first?["marker"] as? String == "green")
        #expect((accounts.first?["connection"] as? [String: Any])?["caFiles"] as? [String] == [fixture.pop3Authority.caFile])
        #expect(accounts.first?["confirmation"] == nil)

        let confirmed = try await fixture.run(["confirm", link, "--home", fixture.home])
        #expect(confirmed.status == 0, "\(confirmed.standardError)")
        #expect(confirmed.standardOutput.contains("confirmed \(Fixture.linked)"))
        #expect(confirmed.standardOutput.contains("fetched 3 new messages"))
        #expect(fixture.files(in: ".you@linked_test").count == 3)
        #expect(fixture.pop3.messages(of: Fixture.linked).count == 3)

        // The check history is kept in the home: confirm's first sync, seen by another process.
        let listed = try await fixture.run(["accounts", "--home", fixture.home])
        #expect(listed.standardOutput.contains("folder you@linked_test  marker green  copies kept  confirmed"))
        #expect(listed.standardOutput.contains(": 3 new"), "\(listed.standardOutput)")
        let listedJSON = try await fixture.run(["accounts", "--home", fixture.home, "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(listedJSON.standardOutput.utf8)) as? [String: Any])
        let lastChecks = try #require(document["lastChecks"] as? [String: [String: Any]])
        #expect(lastChecks[Fixture.linked]?["fetched"] as? Int == 3)

        let identities = try await fixture.run(["identities", "--home", fixture.home, "--default", Fixture.linked])
        #expect(identities.status == 0, "\(identities.standardError)")
        #expect(identities.standardOutput.contains("* \(Fixture.linked)  (own server)"))

        let composed = try await fixture.run(["compose", "--home", fixture.home, "--to", "friend@else.test", "--subject", "hi"])
        #expect(composed.status == 0, "\(composed.standardError)")
        let sent = try #require(fixture.smtp.receivedMessages.last)
        #expect(sent.sender == Fixture.linked)
        #expect(String(decoding: sent.data, as: UTF8.self).contains("From: \(Fixture.linked)"))

        let updated = try await fixture.run(["update", Fixture.linked, "--home", fixture.home, "--inbox", "--marker", "red", "--delete-from-server"])
        #expect(updated.status == 0, "\(updated.standardError)")
        #expect(updated.standardOutput.contains("folder INBOX  marker red  deleted from server"))
        fixture.pop3.deliver(FakePOP3Message(uid: "m4", text: "Subject: new\r\n\r\nnew\r\n"), to: Fixture.linked)
        let synced = try await fixture.run(["sync", "--home", fixture.home, "--once"])
        #expect(synced.status == 0, "\(synced.standardError)")
        #expect(synced.standardOutput.contains("fetched 1 new messages"))
        #expect(fixture.files(in: "").count == 1)
        #expect(fixture.pop3.messages(of: Fixture.linked).isEmpty)
        let afterSync = try await fixture.run(["accounts", "--home", fixture.home])
        #expect(afterSync.standardOutput.contains(": 1 new"), "\(afterSync.standardOutput)")

        let unlinked = try await fixture.run(["unlink", Fixture.linked, "--home", fixture.home])
        #expect(unlinked.status == 0, "\(unlinked.standardError)")
        #expect(unlinked.standardOutput.contains("its mail stays"))
        #expect(fixture.files(in: ".you@linked_test").count == 3)
        let empty = try await fixture.run(["accounts", "--home", fixture.home])
        #expect(empty.standardOutput.contains("no linked accounts"))
    }

    @Test("confirm by the typed code; resend makes the old code stop working; unlink --delete-mail")
    func codeAndResend() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        _ = try await fixture.initialize()
        _ = try await fixture.add()
        let first = try fixture.confirmation()
        let resent = try await fixture.run(["resend", Fixture.linked, "--home", fixture.home])
        #expect(resent.status == 0, "\(resent.standardError)")
        let second = try fixture.confirmation()
        #expect(first.code != second.code || first.link != second.link)
        let old = try await fixture.run(["confirm", first.link, "--home", fixture.home])
        #expect(old.status == 1)
        #expect(old.standardError.contains("no account is waiting for this confirmation"))
        let byCode = try await fixture.run(["confirm", second.code.lowercased(), "--home", fixture.home])
        #expect(byCode.status == 0, "\(byCode.standardError)")
        let again = try await fixture.run(["resend", Fixture.linked, "--home", fixture.home])
        #expect(again.status == 1)
        #expect(again.standardError.contains("confirmed already"))
        let deleted = try await fixture.run(["unlink", Fixture.linked, "--home", fixture.home, "--delete-mail"])
        #expect(deleted.status == 0, "\(deleted.standardError)")
        #expect(fixture.files(in: ".you@linked_test").isEmpty)
    }

    @Test("add without --ca refuses the fake's certificate: --ca is honoured, and stored for later syncs")
    func caHonoured() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        _ = try await fixture.initialize()
        let refused = try await fixture.run(
            ["add", Fixture.linked, "--home", fixture.home, "--server", "127.0.0.1:\(fixture.pop3Listener.port)",
             "--password-file", fixture.linkedPassword, "--timeout", LinkmailRunner.timeout])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("TLS failed"), "\(refused.standardError)")
        let pinned = try await fixture.run(
            ["add", Fixture.linked, "--home", fixture.home, "--server", "127.0.0.1:\(fixture.pop3Listener.port)",
             "--password-file", fixture.linkedPassword, "--ca", fixture.pop3Authority.caFile, "--timeout", "97"])
        #expect(pinned.status == 0, "\(pinned.standardError)")
        let json = try await fixture.run(["accounts", "--home", fixture.home, "--json"])
        #expect(json.standardOutput.contains("\"timeoutSeconds\" : 97"))
    }

    @Test("bad usage exits 2 before anything is sent: unknown option, bad duration, bad address, nothing to update")
    func usage() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        #expect(try await fixture.initialize(["--confirmation-expiry", "soon"]).status == 2)
        _ = try await fixture.initialize()
        #expect(try await fixture.run(["add", "not an address", "--home", fixture.home, "--password-file", fixture.linkedPassword]).status == 2)
        #expect(try await fixture.run(["update", Fixture.linked, "--home", fixture.home]).status == 2)
        #expect(try await fixture.run(["unlink", Fixture.linked, "--home", fixture.home, "--everything"]).status == 2)
        #expect(fixture.smtp.receivedMessages.isEmpty)
    }
}
