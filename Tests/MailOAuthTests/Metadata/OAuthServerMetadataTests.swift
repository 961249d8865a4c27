import MailTesting
import MailTransport
import Testing

@testable import MailOAuth

@Suite("Server metadata (RFC 8414) and the provider table")
struct OAuthServerMetadataTests {
    @Test("discovery reads the RFC 8414 document and its issuer promise")
    func discovery() async throws {
        let server = try FakeAuthorizationServer()
        defer { server.close() }
        let metadata = try await OAuthServerMetadata.discover(issuer: server.issuer)
        #expect(metadata.tokenEndpoint == server.issuer + "/token")
        #expect(metadata.deviceAuthorizationEndpoint == server.issuer + "/device")
        #expect(metadata.sendsIssuerInAuthorizationResponse && metadata.codeChallengeMethodsSupported == ["S256"])
    }

    @Test("discovery falls back to OpenID configuration when the RFC 8414 location is 404")
    func openIDFallback() async throws {
        var configuration = FakeAuthorizationServer.Configuration()
        configuration.metadataAtOpenIDLocationOnly = true
        let server = try FakeAuthorizationServer(configuration: configuration)
        defer { server.close() }
        let metadata = try await OAuthServerMetadata.discover(issuer: server.issuer)
        #expect(metadata.issuer == server.issuer)
        #expect(server.counters.metadata == 1)
    }

    @Test("discovery over HTTPS trusts the CA given in the TLS policy, as mail connections do")
    func https() async throws {
        let authority = try TestCertificateAuthority()
        let server = try FakeAuthorizationServer(certificate: try authority.issue(names: ["localhost", "127.0.0.1"]))
        defer { server.close() }
        let untrusted = await #expect(throws: OAuthError.self) {
            _ = try await OAuthServerMetadata.discover(
                issuer: server.issuer, http: HTTPClient(tlsPolicy: TLSPolicy(trustsSystemRoots: false)))
        }
        #expect(untrusted?.code == .network)
        let http = HTTPClient(
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]))
        #expect(try await OAuthServerMetadata.discover(issuer: server.issuer, http: http).issuer == server.issuer)
    }

    @Test("a document naming another issuer, lacking a token endpoint or using http elsewhere is refused")
    func validation() {
        let good = #"{"issuer":"https://a.example","token_endpoint":"https://a.example/token"}"#
        #expect((try? OAuthServerMetadata.parse(Array(good.utf8), expectedIssuer: "https://a.example")) != nil)
        for (json, issuer) in [
            (good, "https://b.example"),
            (#"{"issuer":"https://a.example"}"#, "https://a.example"),
            (#"{"issuer":"https://a.example","token_endpoint":"http://a.example/token"}"#, "https://a.example"),
            ("[1]", "https://a.example"),
        ] {
            let error = #expect(throws: OAuthError.self) {
                try OAuthServerMetadata.parse(Array(json.utf8), expectedIssuer: issuer)
            }
            #expect(error?.code == .invalidMetadata)
        }
    }

    @Test("the built-in providers carry endpoints and mail scopes but no client id")
    func providers() throws {
        #expect(
            OAuthProvider.microsoftConsumers.metadata.tokenEndpoint
                == "https://login.microsoftonline.com/consumers/oauth2/v2.0/token")
        #expect(OAuthProvider.microsoftConsumers.mailScopes.contains("https://outlook.office.com/POP.AccessAsUser.All"))
        #expect(OAuthProvider.microsoftCommon.mailScopes.contains("offline_access"))
        #expect(OAuthProvider.google.mailScopes == ["https://mail.google.com/"])
        #expect(OAuthProvider.google.extraAuthorizationParameters["access_type"] == "offline")
        for provider in [OAuthProvider.microsoftConsumers, .microsoftCommon, .google] {
            #expect(throws: Never.self) { try provider.metadata.validate() }
        }
    }

    @Test("a missing client id is a clear error that says how to register")
    func missingClientID() {
        for provider in [OAuthProvider.microsoftConsumers, .google] {
            let error = #expect(throws: OAuthError.self) {
                _ = try OAuthClient(provider: provider, registration: OAuthClientRegistration(clientID: "  "))
            }
            #expect(error?.code == .missingClientID)
            #expect(error?.detail.contains("each application registers its own") == true)
            #expect(error?.detail.contains(provider == .google ? "Google Cloud console" : "Microsoft Entra") == true)
        }
    }
}
