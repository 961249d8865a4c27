import MailTesting
import TestbedSupport

/// Runs the built `linkmail` for the fetch interop tests (without an inherited `LINKMAIL_PASSWORD`).
enum InteropFetchRunner {
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ExecutableRunner.Running {
        try ExecutableRunner.start("linkmail", arguments, environment: environment, unset: ["LINKMAIL_PASSWORD"])
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ExecutableRunner.Result {
        try await start(arguments, environment: environment).result()
    }
}
