import MailTesting

@testable import MailOAuth

/// A fake authorization server with the defaults changed by `configure`.
func makeServer(
    _ configure: (inout FakeAuthorizationServer.Configuration) -> Void = { _ in }
) throws
    -> FakeAuthorizationServer
{
    var configuration = FakeAuthorizationServer.Configuration()
    configure(&configuration)
    return try FakeAuthorizationServer(configuration: configuration)
}

/// A client of `server` (plain HTTP on loopback) with `clock`.
func makeClient(_ server: FakeAuthorizationServer, clock: any OAuthClock = VirtualClock()) throws -> OAuthClient {
    let metadata = OAuthServerMetadata(
        issuer: server.issuer, authorizationEndpoint: server.issuer + "/authorize",
        tokenEndpoint: server.issuer + "/token", deviceAuthorizationEndpoint: server.issuer + "/device",
        revocationEndpoint: server.issuer + "/revoke",
        sendsIssuerInAuthorizationResponse: server.configuration.sendsIssuer)
    return try OAuthClient(
        metadata: metadata, registration: OAuthClientRegistration(clientID: server.configuration.clientID),
        clock: clock, requestTimeout: .seconds(60))
}

/// A finished device sign-in at `server`: the clock approves the pending user code as soon as
/// the client first waits.
func deviceSignIn(_ server: FakeAuthorizationServer) async throws -> (OAuthClient, VirtualClock, OAuthTokens) {
    let clock = VirtualClock { _ in _ = server.pendingUserCodes.first.map { server.approve(userCode: $0) } }
    let client = try makeClient(server, clock: clock)
    let tokens = try await client.waitForDeviceAuthorization(try await client.startDeviceAuthorization(scopes: []))
    return (client, clock, tokens)
}
