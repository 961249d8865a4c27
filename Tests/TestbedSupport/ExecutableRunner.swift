import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs an executable of the package (such as `linkmail`) from tests, the way a person would,
/// without blocking Swift's cooperative threads: output goes to temporary files and the exit is
/// awaited through the termination handler, so in-process fake servers keep running while the
/// child talks to them, and a large output cannot fill a pipe and deadlock.
public enum ExecutableRunner {
    /// How a run ended.
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        /// Whether it exited or was ended by a signal.
        public var endedBySignal: Bool
        public var standardOutput: String
        public var standardError: String

        /// The last non-empty line of standard output.
        public var lastLine: String { standardOutput.split(separator: "\n").last.map(String.init) ?? "" }

        public var description: String {
            "\(endedBySignal ? "signal" : "exit") \(status)\nstdout: \(standardOutput)\nstderr: \(standardError)"
        }
    }

    /// A started run that can be killed.
    public final class Running: @unchecked Sendable {
        public let process: Process
        private let outputFile: URL
        private let errorFile: URL
        private let exited: Task<Void, Never>

        fileprivate init(process: Process, outputFile: URL, errorFile: URL, exited: Task<Void, Never>) {
            self.process = process
            self.outputFile = outputFile
            self.errorFile = errorFile
            self.exited = exited
        }

        /// Sends SIGKILL: no clean-up of any kind runs in the child.
        public func kill() { _ = Glibc.kill(process.processIdentifier, SIGKILL) }

        /// Sends `signal` (such as `SIGTERM` or `SIGUSR1`).
        public func send(_ signal: Int32) { _ = Glibc.kill(process.processIdentifier, signal) }

        /// What the child has written to standard output so far.
        public var outputSoFar: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

        /// Waits (polling, up to `limit`) until standard output contains `text`; false if it never did
        /// or the process ended first.
        public func waitForOutput(containing text: String, limit: Duration = .seconds(60)) async -> Bool {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if outputSoFar.contains(text) { return true }
                if !process.isRunning { return outputSoFar.contains(text) }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        /// Waits for the process to end and collects its output.
        public func result() async -> Result {
            await exited.value
            defer {
                try? FileManager.default.removeItem(at: outputFile)
                try? FileManager.default.removeItem(at: errorFile)
            }
            return Result(
                status: process.terminationStatus, endedBySignal: process.terminationReason == .uncaughtSignal,
                standardOutput: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
                standardError: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
        }
    }

    /// The executable `name` built beside the running test bundle (in `.build/<configuration>/`).
    public static func url(of name: String) -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.pathExtension == "xctest" || directory.path.hasSuffix(".xctest/Contents/MacOS") {
            directory = directory.deletingLastPathComponent()
        }
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return directory.appendingPathComponent(name)
    }

    /// Starts `name arguments` with `environment` added and the `unset` variables removed.
    public static func start(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], unset: [String] = []
    ) throws -> Running {
        let process = Process()
        process.executableURL = url(of: name)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in unset { merged.removeValue(forKey: key) }
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let temporary = FileManager.default.temporaryDirectory
        let outputFile = temporary.appendingPathComponent("\(name)-out-\(UUID().uuidString)")
        let errorFile = temporary.appendingPathComponent("\(name)-err-\(UUID().uuidString)")
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

    /// Runs `name arguments` to the end.
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], unset: [String] = []
    ) async throws -> Result {
        try await start(name, arguments, environment: environment, unset: unset).result()
    }
}
