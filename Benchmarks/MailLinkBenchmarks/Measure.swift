import Foundation

/// Shared helpers for the benchmarks: timing, peak memory, and running peer programs.
enum Measure {
    /// Seconds taken by `body`.
    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The best (shortest) of `runs` timings: the least disturbed by the rest of the machine.
    static func best(of runs: Int, _ body: () async throws -> Void) async rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs { best = min(best, try await seconds(body)) }
        return best
    }

    /// This process's peak resident memory (VmHWM), in MiB.
    /// The median of some figures (the mean of the two middle ones for an even count); infinity
    /// when there are none.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .infinity }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func peakMemoryMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return .nan }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan
        return kilobytes / 1024
    }

    /// Runs a program, waits for it, and returns its wall time in seconds and exit status.
    /// `shell` is run by `/bin/sh -c`, so redirections work.
    static func run(shell: String) throws -> (seconds: Double, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", shell]
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, process.terminationStatus)
    }

    /// Whether a program is on the PATH.
    static func available(_ program: String) -> Bool {
        (try? run(shell: "command -v \(program) >/dev/null 2>&1").status) == 0
    }

    /// Prints one figure line: `name: value unit`, with an optional note.
    static func report(_ name: String, _ value: Double, _ unit: String, note: String = "") {
        let formatted = String(format: value >= 100 ? "%.0f" : "%.2f", value)
        print("\(name): \(formatted) \(unit)\(note.isEmpty ? "" : "  (\(note))")")
    }
}
