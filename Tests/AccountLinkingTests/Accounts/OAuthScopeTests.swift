import AutoDiscovery
import MailMessage
import Testing

@testable import AccountLinking

@Suite("OAuth scopes of a link")
struct OAuthScopeTests {
    @Test("a link asks for the scope of the incoming protocol it uses: IMAP's for an IMAP account, POP3's for a POP3 one")
    func scopesFollowTheProtocol() throws {
        let outlook = SettingsDiscovery.bundledHints(for: try EmailAddress("someone@outlook.com"))
        let imap = AccountLinker.oauthScopes(outlook, incoming: .imap)
        let pop3 = AccountLinker.oauthScopes(outlook, incoming: .pop3)
        #expect(imap.contains { $0.hasSuffix("IMAP.AccessAsUser.All") }, "\(imap)")
        #expect(!imap.contains { $0.hasSuffix("POP.AccessAsUser.All") })
        #expect(pop3.contains { $0.hasSuffix("POP.AccessAsUser.All") }, "\(pop3)")
        #expect(imap.contains { $0.hasSuffix("SMTP.Send") } && pop3.contains { $0.hasSuffix("SMTP.Send") })
        #expect(imap.contains("offline_access"))
    }
}
