import Foundation
import Testing

@testable import AutoDiscovery

@Suite("Provider OAuth 2.0 facts: bundled table and the <oAuth2> element")
struct ProviderOAuthTests {
    let table = ProviderTable.bundled

    @Test("Outlook.com and Hotmail: OAuth required, consumers issuer, Microsoft's scopes, XOAUTH2 only, POP3 two-step")
    func microsoftConsumers() throws {
        for domain in ["outlook.com", "hotmail.com", "live.com"] {
            let hints = try #require(table.provider(forDomain: domain)?.hints)
            let oauth = try #require(hints.oauth)
            #expect(hints.requiresOAuth && oauth.isRequired)
            #expect(oauth.issuer == "https://login.microsoftonline.com/consumers/v2.0")
            #expect(oauth.pop3Scopes == ["https://outlook.office.com/POP.AccessAsUser.All"])
            #expect(oauth.imapScopes == ["https://outlook.office.com/IMAP.AccessAsUser.All"])
            #expect(oauth.smtpScopes == ["https://outlook.office.com/SMTP.Send"])
            #expect(oauth.commonScopes == ["offline_access"])
            #expect(oauth.mechanisms == ["XOAUTH2"])
            #expect(oauth.pop3TwoStep)
            #expect(oauth.userName == .emailAddress)
            #expect(oauth.tokenURL == "https://login.microsoftonline.com/consumers/oauth2/v2.0/token")
            #expect(
                oauth.deviceAuthorizationURL == "https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode")
        }
        let pop3AndSMTP = try #require(table.provider(forDomain: "hotmail.com")?.hints.oauth).scopes(for: [
            .pop3, .smtp,
        ])
        #expect(
            pop3AndSMTP == [
                "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send",
                "offline_access",
            ])
    }

    @Test("Microsoft 365: OAuth required at the organizations issuer")
    func microsoft365() throws {
        let oauth = try #require(table.provider(forDomain: "office365.com")?.hints.oauth)
        #expect(oauth.isRequired && oauth.issuer == "https://login.microsoftonline.com/organizations/v2.0")
    }

    @Test("Gmail: OAuth optional beside an app password, Google's one scope for every protocol")
    func google() throws {
        let hints = try #require(table.provider(forDomain: "gmail.com")?.hints)
        let oauth = try #require(hints.oauth)
        #expect(!oauth.isRequired && !hints.requiresOAuth && hints.requiresAppPassword)
        #expect(oauth.issuer == "https://accounts.google.com")
        #expect(oauth.scopes(for: [.pop3, .smtp]) == ["https://mail.google.com/"])
        #expect(oauth.scopes(for: [.imap]) == ["https://mail.google.com/"])
        #expect(oauth.mechanisms == ["XOAUTH2", "OAUTHBEARER"])
        #expect(!oauth.pop3TwoStep)
        #expect(oauth.userName(for: "someone@gmail.com") == "someone@gmail.com")
    }

    @Test("providers without OAuth for new applications carry none, and no entry carries a client id")
    func othersHaveNone() {
        for domain in ["yahoo.com", "aol.com", "icloud.com", "gmx.net", "web.de"] {
            #expect(table.provider(forDomain: domain)?.hints.oauth == nil, "\(domain)")
        }
        #expect(!BundledProviders.xml.lowercased().contains("client_id"))
        #expect(!BundledProviders.xml.lowercased().contains("clientid"))
    }

    @Test("an ISPDB-style <oAuth2> under clientConfig: a host as issuer, one space-separated scope list")
    func ispdbForm() throws {
        let xml = """
            <clientConfig version="1.1"><emailProvider id="example.com"><domain>example.com</domain>
            <incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
            </emailProvider>
            <oAuth2><issuer>login.example.com</issuer><scope>mail offline_access</scope>
              <authURL>https://login.example.com/auth</authURL><tokenURL>https://login.example.com/token</tokenURL></oAuth2>
            </clientConfig>
            """
        let provider = try AutoconfigReader().read(Array(xml.utf8))
        let oauth = try #require(provider.hints.oauth)
        #expect(oauth.issuer == "https://login.example.com")
        #expect(oauth.commonScopes == ["mail", "offline_access"])
        #expect(oauth.authorizationURL == "https://login.example.com/auth")
        #expect(!oauth.isRequired && !provider.hints.requiresOAuth)
        #expect(oauth.mechanisms == ["XOAUTH2"])
    }

    @Test("required, mechanisms, user name form; unknown mechanisms and malformed scopes are dropped")
    func attributes() throws {
        let xml = """
            <clientConfig version="1.1"><emailProvider id="example.com"><domain>example.com</domain>
            <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType>
              <username>%EMAILLOCALPART%</username><authentication>OAuth2</authentication></incomingServer>
            <oAuth2 required="true" mechanisms="OAUTHBEARER,PLAIN" username="%EMAILLOCALPART%">
              <issuer>https://id.example.com</issuer><scope protocol="pop3">pop "bad</scope><scope protocol="x">no</scope></oAuth2>
            </emailProvider></clientConfig>
            """
        let provider = try AutoconfigReader().read(Array(xml.utf8))
        let oauth = try #require(provider.hints.oauth)
        #expect(oauth.isRequired && provider.hints.requiresOAuth)
        #expect(oauth.mechanisms == ["OAUTHBEARER"])
        #expect(oauth.pop3Scopes == ["pop"])
        #expect(oauth.userName(for: "jo@example.com") == "jo")
    }

    @Test("an <oAuth2> without issuer or scopes is ignored")
    func incomplete() throws {
        for inner in ["<scope>mail</scope>", "<issuer>https://id.example.com</issuer>"] {
            let xml = """
                <clientConfig version="1.1"><emailProvider id="example.com"><domain>example.com</domain>
                <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType>
                  <username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
                <oAuth2>\(inner)</oAuth2></emailProvider></clientConfig>
                """
            #expect(try AutoconfigReader().read(Array(xml.utf8)).hints.oauth == nil)
        }
    }

    @Test("hints with OAuth facts survive JSON; older JSON without them decodes")
    func codable() throws {
        let hints = try #require(table.provider(forDomain: "outlook.com")?.hints)
        let data = try JSONEncoder().encode(hints)
        #expect(try JSONDecoder().decode(ProviderHints.self, from: data) == hints)
        let old = try JSONEncoder().encode(ProviderHints(requiresOAuth: true))
        #expect(!String(decoding: old, as: UTF8.self).contains("oauth\""))
        #expect(try JSONDecoder().decode(ProviderHints.self, from: old).oauth == nil)
    }
}
