import MailTesting
import TestbedSupport

/// Runs the built `linkmail` (without an inherited `LINKMAIL_PASSWORD`).
enum LinkmailRunner {
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ExecutableRunner.Result {
        try await ExecutableRunner.run("linkmail", arguments, environment: environment, unset: ["LINKMAIL_PASSWORD"])
    }
}
