import Foundation
import MailTesting
import TestbedSupport
import Testing

@Suite("linkmail discover (offline, the bundled table)")
struct DiscoverCommandTests {
    @Test("a bundled provider prints its POP3 and SMTP settings with their source")
    func bundled() async throws {
        let result = try await LinkmailRunner.run(["discover", "someone@gmail.com", "--offline"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("incoming pop3 pop.gmail.com:995 tls"))
        #expect(result.standardOutput.contains("outgoing smtp smtp.gmail.com:465 tls"))
        #expect(result.standardOutput.contains("source bundled"))
        let json = try await LinkmailRunner.run(["discover", "someone@gmail.com", "--offline", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        #expect(object?["source"] as? String == "bundled")
    }

    @Test("an IMAP-only provider (iCloud) is offered over IMAP: its IMAP settings, exit 0")
    func imapOnly() async throws {
        let result = try await LinkmailRunner.run(["discover", "someone@icloud.com", "--offline"])
        #expect(result.status == 0, "\(result)")
        #expect(result.standardOutput.contains("incoming imap imap.mail.me.com:993 tls user someone"))
        #expect(result.standardOutput.contains("links over imap imap.mail.me.com:993 tls"))
        #expect(!result.standardError.contains("not offered"))
        let json = try await LinkmailRunner.run(["discover", "someone@icloud.com", "--offline", "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let preferred = object?["preferredIncoming"] as? [String: Any]
        #expect(preferred?["host"] as? String == "imap.mail.me.com", "\(json.standardOutput)")
    }

    @Test("a provider offering both is linked over IMAP; one offering neither exits 1 and says so")
    func automaticChoice() async throws {
        let gmail = try await LinkmailRunner.run(["discover", "someone@gmail.com", "--offline"])
        #expect(gmail.standardOutput.contains("links over imap imap.gmail.com:993 tls"), "\(gmail)")
        let proton = try await LinkmailRunner.run(["discover", "someone@proton.me", "--offline"])
        #expect(proton.status == 1, "\(proton)")
        #expect(proton.standardError.contains("neither POP3 nor IMAP is offered"))
    }

    @Test("an invalid address or --dns is a usage error; an unknown domain offline is exit 1")
    func errors() async throws {
        #expect(try await LinkmailRunner.run(["discover", "not-an-address", "--offline"]).status == 2)
        #expect(try await LinkmailRunner.run(["discover", "a@example.com", "--dns", "dns.example.com"]).status == 2)
        #expect(try await LinkmailRunner.run(["discover", "a@unknown-domain.test", "--offline"]).status == 1)
    }

    @Test("linking an address whose provider has no POP3, with POP3 chosen, stops with that diagnosis")
    func addWithoutPOP() async throws {
        let home = NSTemporaryDirectory() + "linkmail-discover-add-\(UUID().uuidString)"
        let init_ = try await LinkmailRunner.run(
            ["init", "--home", home, "--primary", "me@example.test", "--server", "127.0.0.1:1", "--user", "me"],
            environment: ["LINKMAIL_PASSWORD": "x"])
        #expect(init_.status == 0, "\(init_)")
        let add = try await LinkmailRunner.run(
            ["add", "someone@icloud.com", "--home", home, "--offline", "--protocol", "pop3"],
            environment: ["LINKMAIL_PASSWORD": "x"])
        #expect(add.status == 1)
        #expect(add.standardError.contains("offers no POP3"))
    }
}
