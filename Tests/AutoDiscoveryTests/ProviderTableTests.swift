import MailTransport
import Testing

@testable import AutoDiscovery

@Suite("Bundled provider table")
struct ProviderTableTests {
    let table = ProviderTable.bundled

    @Test("the bundled XML parses completely with the online reader")
    func parsesCompletely() throws {
        let root = try XMLReader(limits: .init(maximumBytes: 4 << 20)).parse(Array(BundledProviders.xml.utf8))
        let sections = root.children(named: "clientConfig")
        for section in sections { _ = try AutoconfigReader().read(section) }
        #expect(table.providers.count == sections.count)
        #expect(table.providers.count >= 20)
    }

    @Test(
        "the reference providers are present",
        arguments: [
            "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "aol.com", "icloud.com", "yandex.ru", "mail.ru",
            "rambler.ru",
            "gmx.net", "gmx.com", "web.de", "zoho.com", "fastmail.com", "proton.me", "t-online.de", "orange.fr",
            "free.fr",
            "libero.it", "qq.com", "163.com",
        ])
    func present(_ domain: String) {
        #expect(table.provider(forDomain: domain) != nil)
    }

    @Test("hints: app passwords, OAuth only, POP unavailable, enable URL, poll interval")
    func hints() throws {
        #expect(table.provider(forDomain: "gmail.com")?.hints.requiresAppPassword == true)
        #expect(table.provider(forDomain: "gmail.com")?.hints.enableURL?.contains("fwdandpop") == true)
        #expect(table.provider(forDomain: "live.com")?.hints.requiresOAuth == true)
        #expect(table.provider(forDomain: "icloud.com")?.hints.popUnavailable == true)
        #expect(table.provider(forDomain: "icloud.com")?.incoming.contains { $0.mailProtocol == .pop3 } == false)
        #expect(table.provider(forDomain: "pm.me")?.hints.popUnavailable == true)
        #expect(table.provider(forDomain: "web.de")?.incoming.first?.minimumPollInterval == .seconds(15 * 60))
        #expect(table.provider(forDomain: "web.de")?.incoming.first?.username == "%EMAILLOCALPART%")
        #expect(table.provider(forDomain: "t-online.de")?.incoming.first?.hostname == "securepop.t-online.de")
    }

    @Test("MX domains identify providers of custom domains")
    func mxDomains() {
        #expect(table.provider(forMXDomain: "google.com")?.id == "gmail.com")
        #expect(table.provider(forMXDomain: "olc.protection.outlook.com")?.id == "outlook.com")
        #expect(table.provider(forMXDomain: "mail.protection.outlook.com")?.id == "office365.com")
        #expect(table.provider(forMXDomain: "messagingengine.com")?.id == "fastmail.com")
        #expect(table.provider(forMXDomain: "mail.gm0.yahoodns.net")?.id == "aol.com")
        #expect(table.provider(forMXDomain: "yahoodns.net")?.id == "yahoo.com")
        #expect(table.provider(forMXDomain: "unknown.example") == nil)
    }
}
