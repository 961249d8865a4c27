import MailTesting
import Synchronization
import Testing

@testable import MailOAuth

@Suite("Device authorization grant (RFC 8628) against the fake authorization server")
struct DeviceFlowTests {
    @Test("polls at the server's interval until the user approves, then returns the tokens")
    func approved() async throws {
        let server = try makeServer { $0.deviceInterval = 7 }
        defer { server.close() }
        let clock = VirtualClock { sleeps in
            if sleeps == 3, let code = server.pendingUserCodes.first { server.approve(userCode: code) }
        }
        let client = try makeClient(server, clock: clock)
        let device = try await client.startDeviceAuthorization(scopes: ["https://mail.example.test/"])
        #expect(device.userCode.count == 9 && device.verificationURI == server.issuer + "/device")
        #expect(device.verificationURIComplete?.contains(device.userCode) == true)
        let tokens = try await client.waitForDeviceAuthorization(device)
        #expect(server.user(ofAccessToken: tokens.accessToken) == "alice@example.test")
        #expect(tokens.refreshToken != nil)
        #expect(clock.sleeps == [.seconds(7), .seconds(7), .seconds(7)])
        #expect(server.counters.tokenRequests["device_code"] == 3)
    }

    @Test("slow_down adds 5 seconds to the interval from then on")
    func slowDown() async throws {
        let server = try makeServer { $0.slowDownPolls = 2 }
        defer { server.close() }
        let clock = VirtualClock { sleeps in
            if sleeps == 3, let code = server.pendingUserCodes.first { server.approve(userCode: code) }
        }
        let client = try makeClient(server, clock: clock)
        _ = try await client.waitForDeviceAuthorization(try await client.startDeviceAuthorization(scopes: []))
        #expect(clock.sleeps == [.seconds(5), .seconds(10), .seconds(15)])
    }

    /// The error that ends a device sign-in at `server` whose client waits on `clock`.
    func failure(_ server: FakeAuthorizationServer, _ clock: VirtualClock) async -> OAuthError? {
        await #expect(throws: OAuthError.self) {
            let client = try makeClient(server, clock: clock)
            _ = try await client.waitForDeviceAuthorization(try await client.startDeviceAuthorization(scopes: []))
        }
    }

    @Test("expired_token, access_denied and the code's own expiry end the wait")
    func endings() async throws {
        let server = try makeServer { $0.deviceCodeLifetime = 12 }
        defer { server.close() }
        let expired = await failure(
            server, VirtualClock { _ in _ = server.pendingUserCodes.first.map { server.expire(userCode: $0) } })
        #expect(expired?.code == .expiredToken && expired?.requiresSignIn == true)
        let denied = await failure(
            server, VirtualClock { _ in _ = server.pendingUserCodes.first.map { server.deny(userCode: $0) } })
        #expect(denied?.code == .accessDenied)
        let patientClock = VirtualClock()
        let lapsed = await failure(server, patientClock)
        #expect(lapsed?.code == .expiredToken)
        #expect(patientClock.sleeps.count == 3)  // polls at 5 s and 10 s; at 15 s the 12 s lifetime is over
    }

    @Test("cancelling the task stops the polling with cancelled")
    func cancellation() async throws {
        let server = try makeServer()
        defer { server.close() }
        let client = try makeClient(server, clock: WaitingClock())
        let device = try await client.startDeviceAuthorization(scopes: [])
        let waiting = Task { try await client.waitForDeviceAuthorization(device) }
        waiting.cancel()
        let error = await #expect(throws: OAuthError.self) { _ = try await waiting.value }
        #expect(error?.code == .cancelled)
        #expect(server.counters.tokenRequests["device_code"] == nil)
    }

    @Test("the device authorization's description shows the user code but not the device code")
    func redacted() async throws {
        let server = try makeServer()
        defer { server.close() }
        let device = try await makeClient(server).startDeviceAuthorization(scopes: [])
        #expect("\(device)".contains(device.userCode) && !"\(device)".contains(device.deviceCode))
    }
}
