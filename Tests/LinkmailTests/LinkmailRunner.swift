import MailTesting
import TestbedSupport

/// Runs the built `linkmail` (without an inherited `LINKMAIL_PASSWORD`).
enum LinkmailRunner {
    /// The `--timeout` for commands that talk to a fake server: the fake runs in this test
    /// process, whose threads the whole parallel suite shares, so on a loaded machine it may
    /// answer later than a few seconds, and these tests are about what linkmail does, not how
    /// fast the fake answers. (A test of a timeout gives its own.)
    static let timeout = "120"

    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ExecutableRunner.Result {
        try await ExecutableRunner.run("linkmail", arguments, environment: environment, unset: ["LINKMAIL_PASSWORD"])
    }
}
