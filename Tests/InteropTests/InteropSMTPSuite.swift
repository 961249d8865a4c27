import Foundation
import MailAuth
import MailTesting
import MailTransport
import TestbedSupport
import Testing

/// The parent of every suite that submits to the bench's Postfix and counts what lands in
/// `olivia@example.org` and `heidi@example.test`: `.serialized` here runs the nested suites
/// (SMTP interop, the round trip, `linkmail send`) one test at a time, so no test sees another's mail.
@Suite(
    "Interop: submission to Postfix (serialized: shares olivia and heidi)", .serialized,
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
enum InteropSMTPSuite {
    /// How long Postfix may take to deliver into a Maildir (its queue runs at once for a fresh
    /// message; the limit only guards against a stuck bench).
    static let deliveryTimeLimit: Duration = .seconds(60)

    /// Trust the bench CA only.
    static func benchPolicy(_ bench: TestbedEnvironment) -> TLSPolicy {
        TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [bench.caFile])
    }

    /// The primary user's credentials (every suite may authenticate as alice).
    static func aliceCredentials(_ bench: TestbedEnvironment, password: String? = nil) -> Credentials {
        Credentials(user: bench.primaryUser.address, secret: .password(password ?? bench.primaryUser.password))
    }

    /// The submission port with STARTTLS, or the submissions port with implicit TLS.
    static func endpoint(_ bench: TestbedEnvironment, implicitTLS: Bool) -> Endpoint {
        implicitTLS
            ? Endpoint(host: bench.host, port: bench.smtpsPort, security: .tls)
            : Endpoint(host: bench.host, port: bench.submissionPort, security: .startTLS)
    }

    /// Polls `user`'s Maildir until it holds at least `count` messages; returns the count seen
    /// last, which is below `count` when the time limit passed first.
    @discardableResult
    static func waitForMessages(
        _ count: Int, in user: TestbedUser, of bench: TestbedEnvironment, within limit: Duration = deliveryTimeLimit
    ) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        while true {
            let seen = try bench.messageCount(of: user)
            if seen >= count || ContinuousClock.now >= deadline { return seen }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The delivered files of `user` (`new/` and `cur/`), oldest first by name.
    static func deliveredMessages(of user: TestbedUser) throws -> [Data] {
        var paths: [String] = []
        for folder in ["new", "cur"] {
            let directory = user.maildir + "/" + folder
            paths += try FileManager.default.contentsOfDirectory(atPath: directory).map { directory + "/" + $0 }
        }
        return try paths.sorted().map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    }
}
