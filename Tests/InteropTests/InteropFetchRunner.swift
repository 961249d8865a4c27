import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `linkmail` executable for the fetch interop tests, without blocking Swift's
/// cooperative threads: output goes to temporary files and the exit is awaited through the
/// termination handler. (InteropTests cannot use LinkmailTests' runner, a separate target.)
struct InteropFetchRunner {
    /// How a run ended.
    struct Result: CustomStringConvertible {
        var status: Int32
        var reason: Process.TerminationReason
        var standardOutput: String
        var standardError: String

        /// The last non-empty line of standard output.
        var lastLine: String {
            standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        }

        var description: String {
            "exit \(status) (\(reason == .exit ? "exit" : "signal"))\nstdout: \(standardOutput)\nstderr: \(standardError)"
        }
    }

    /// A started run that can be killed.
    final class Running: @unchecked Sendable {
        let process: Process
        private let outputFile: URL
        private let errorFile: URL
        private let exited: Task<Void, Never>

        fileprivate init(process: Process, outputFile: URL, errorFile: URL, exited: Task<Void, Never>) {
            self.process = process
            self.outputFile = outputFile
            self.errorFile = errorFile
            self.exited = exited
        }

        /// Sends SIGKILL: no clean-up of any kind can run in linkmail.
        func kill() { _ = Glibc.kill(process.processIdentifier, SIGKILL) }

        /// Waits for the process to end and collects its output.
        func result() async -> Result {
            await exited.value
            defer {
                try? FileManager.default.removeItem(at: outputFile)
                try? FileManager.default.removeItem(at: errorFile)
            }
            return Result(
                status: process.terminationStatus, reason: process.terminationReason,
                standardOutput: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
                standardError: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
        }
    }

    /// `linkmail`, beside the test bundle in the build folder.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.pathExtension == "xctest" || directory.path.hasSuffix(".xctest/Contents/MacOS") {
            directory = directory.deletingLastPathComponent()
        }
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("linkmail")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return directory.appendingPathComponent("linkmail")
    }

    /// Starts `linkmail arguments` with `environment` added (and no inherited `LINKMAIL_PASSWORD`).
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "LINKMAIL_PASSWORD")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let temporary = FileManager.default.temporaryDirectory
        let outputFile = temporary.appendingPathComponent("linkmail-out-\(UUID().uuidString)")
        let errorFile = temporary.appendingPathComponent("linkmail-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        let exited = Task { for await _ in stream {} }
        return Running(process: process, outputFile: outputFile, errorFile: errorFile, exited: exited)
    }

    /// Runs `linkmail arguments` to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await start(arguments, environment: environment).result()
    }
}
