import AccountLinking
import Foundation
import MailAuth
import MailMessage
import MailOAuth
import Testing

@Suite("OAuth 2.0 accounts: the stored grant, the sign-in-again state and its diagnosis")
struct OAuthAccountTests {
    let directory = NSTemporaryDirectory() + "maillink-oauth-\(UUID().uuidString)"

    static let grant = OAuthGrant(
        issuer: "https://login.example.test", tokenEndpoint: "https://login.example.test/token",
        clientID: "host-app", refreshToken: "refresh-secret-1", scopes: ["https://mail.example.test/", "offline_access"])

    @Test("a grant is stored with its documented keys, mode 0600, without any access token, and read back")
    func grantStored() async throws {
        let store = try FileCredentialStore(path: directory + "/secrets.json")
        let id = AccountID(try EmailAddress("oscar@example.test"))
        try await store.setGrant(Self.grant, for: id)
        #expect(try await store.grant(for: id) == Self.grant)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"kind\" : \"oauth2-refresh-token\""))
        #expect(text.contains("\"tokenEndpoint\" : \"https://login.example.test/token\""))
        #expect(!text.lowercased().contains("access_token") && !text.contains("accessToken"))
        #expect(try StoreTests.mode(store.path) == 0o600)
        var rotated = Self.grant
        rotated.refreshToken = "refresh-secret-2"
        try await store.setGrant(rotated, for: id)
        #expect(try await store.grant(for: id)?.refreshToken == "refresh-secret-2")
    }

    @Test("asking a file for the token provider of a grant says to build it from the grant")
    func grantIsNotAPassword() async throws {
        let store = try FileCredentialStore(path: directory + "/secrets.json")
        let id = AccountID(try EmailAddress("oscar@example.test"))
        try await store.setGrant(Self.grant, for: id)
        await #expect(throws: StateFileError.self) { try await store.secret(for: id) }
        try await store.setSecret(.password("pw"), for: id)
        #expect(try await store.grant(for: id) == nil)
    }

    @Test("a grant's descriptions never show the refresh token")
    func grantRedacted() {
        #expect(!String(describing: Self.grant).contains("refresh-secret"))
        #expect(!String(reflecting: Self.grant).contains("refresh-secret"))
    }

    @Test("an account file without attention reads as usable; sign-in-again is kept")
    func attentionCodable() throws {
        var account = try StoreTests.account()
        #expect(account.attention == nil && account.isUsable)
        let old = try JSONEncoder().encode(account)
        #expect(!String(decoding: old, as: UTF8.self).contains("attention"))
        account.attention = .signInAgain
        let data = try JSONEncoder().encode(account)
        #expect(String(decoding: data, as: UTF8.self).contains("\"attention\":\"sign-in-again\""))
        let decoded = try JSONDecoder().decode(LinkedAccount.self, from: data)
        #expect(decoded.attention == .signInAgain && !decoded.isUsable)
        #expect(try JSONDecoder().decode(LinkedAccount.self, from: old).attention == nil)
    }

    @Test("a revoked grant, wrapped by the token provider, is diagnosed as sign in again, not a password problem")
    func revokedGrantDiagnosis() {
        let revoked = OAuthError(.invalidGrant, serverDescription: "the grant was revoked", httpStatus: 400)
        let wrapped = MailAuthError(.tokenUnavailable, detail: "the OAuth 2.0 token provider failed", underlyingError: revoked)
        for error in [revoked as any Error, wrapped, OAuthError(.signInRequired)] {
            let diagnosis = LinkDiagnosis(error)
            #expect(diagnosis.stage == .signInAgain)
            #expect(diagnosis.requiresSignInAgain)
            #expect(diagnosis.suggestion.contains("Sign in again"))
            #expect(!diagnosis.description.lowercased().contains("check your password"))
            #expect(!diagnosis.isTransient)
        }
        let network = LinkDiagnosis(MailAuthError(.tokenUnavailable, detail: "failed", underlyingError: OAuthError(.network)))
        #expect(network.stage == .connection && network.isTransient && !network.requiresSignInAgain)
    }
}
