import Foundation

/// Runs the built `linkmail` without blocking Swift's cooperative threads, which the fake
/// servers of ``FetchCommandTests`` need while linkmail talks to them: output goes to
/// temporary files and the exit is awaited through the termination handler.
enum FetchProcessRunner {
    /// Runs `linkmail arguments` with `environment` added (no inherited `LINKMAIL_PASSWORD`).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> LinkmailRunner.Result {
        let process = Process()
        process.executableURL = LinkmailRunner.executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "LINKMAIL_PASSWORD")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let temporary = FileManager.default.temporaryDirectory
        let outputFile = temporary.appendingPathComponent("linkmail-out-\(UUID().uuidString)")
        let errorFile = temporary.appendingPathComponent("linkmail-err-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        for await _ in stream {}
        return LinkmailRunner.Result(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }
}
