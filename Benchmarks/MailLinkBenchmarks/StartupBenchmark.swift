// `linkmail --help` and `linkmail version`: wall time and peak memory of the whole process, for
// the release build and the installed one (scripts/install-linkmail: the Swift runtime inside the
// executable, code laid out in the order it runs), beside mpop's `--help` and `--version`.
// Usage: MailLinkBenchmarks startup [--runs N] [--linkmail PATH]…
// Build first: swift build -c release --product MailLinkBenchmarks --product linkmail
//          and: bash scripts/install-linkmail DIR (it builds into .build/install)

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The start-up benchmark. Each process is started with `posix_spawn` (output to /dev/null) and
/// reaped with `waitpid`, so the time is the process's own, from spawn to exit; runs of the
/// programs are interleaved, and each figure is the median of N runs. The peak memory comes from
/// five more runs under `/usr/bin/time -f %M` (a child spawned by this process would report this
/// process's own peak: Linux carries the high-water mark across `exec`).
/// Goals (issue: footprint): under 5 ms wall, `--help` at most 10 MiB.
enum StartupBenchmark {
    struct Program {
        var label: String
        var path: String
        var arguments: [[String]]
        var isOurs: Bool
    }

    static func run(arguments: [String]) async throws {
        var runs = 100
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--runs" where index + 1 < arguments.count:
                guard let number = Int(arguments[index + 1]), number > 0 else {
                    throw FetchBenchmark.Failure("not a positive number: \(arguments[index + 1])")
                }
                runs = number
                index += 1
            case "--linkmail" where index + 1 < arguments.count:
                paths.append(arguments[index + 1])
                index += 1
            default:
                throw FetchBenchmark.Failure("unknown argument \(arguments[index])")
            }
            index += 1
        }
        if paths.isEmpty {
            let executableDirectory = Bundle.main.executableURL?.deletingLastPathComponent().path ?? "."
            paths = [executableDirectory + "/linkmail", FileManager.default.currentDirectoryPath + "/.build/install/release/linkmail"]
        }
        var programs: [Program] = []
        for path in paths {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                Measure.line("# startup: no linkmail at \(path) (see the build lines at the top of StartupBenchmark.swift)")
                continue
            }
            let label = path.contains("/.build/install/") ? "linkmail (installed)" : "linkmail"
            programs.append(Program(label: label, path: path, arguments: [["--help"], ["version"]], isOurs: true))
        }
        if let mpop = which("mpop") {
            programs.append(Program(label: "mpop", path: mpop, arguments: [["--help"], ["--version"]], isOurs: false))
        }
        guard programs.contains(where: \.isOurs) else { throw FetchBenchmark.Failure("no linkmail to measure") }
        Measure.line("# startup benchmark: \(runs) runs of each, interleaved; posix_spawn to waitpid, output to /dev/null")
        var seconds: [String: [Double]] = [:]
        var peaks: [String: Int] = [:]
        for _ in 0..<runs {
            for program in programs {
                for argumentList in program.arguments {
                    let key = program.label + " " + argumentList.joined(separator: " ")
                    seconds[key, default: []].append(try spawnAndWait(program.path, argumentList))
                }
            }
        }
        let peakFile = NSTemporaryDirectory() + "maillink-startup-peak-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: peakFile) }
        for _ in 0..<5 {
            for program in programs {
                for argumentList in program.arguments {
                    let key = program.label + " " + argumentList.joined(separator: " ")
                    _ = try spawnAndWait(Measure.timeProgram, ["-f", "%M", "-o", peakFile, program.path] + argumentList)
                    let text = (try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? ""
                    guard let kib = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                        throw FetchBenchmark.Failure("\(Measure.timeProgram) wrote no peak for \(key): \(text)")
                    }
                    peaks[key] = max(peaks[key] ?? 0, kib)
                }
            }
        }
        for program in programs {
            for argumentList in program.arguments {
                let command = argumentList.joined(separator: " ")
                let key = program.label + " " + command
                let times = seconds[key] ?? []
                let median = Measure.median(times) * 1000
                let peak = Double(peaks[key] ?? 0) / 1024
                Measure.figure(
                    "startup \(key)", median, "ms",
                    note: String(format: "median of %d, best %.2f ms", times.count, (times.min() ?? .nan) * 1000))
                Measure.figure("startup \(key) peak memory", peak, "MiB")
                guard program.isOurs else { continue }
                Measure.line(String(format: "startup %@, goal < 5 ms: %@ (%.2f ms)", key, median < 5 ? "met" : "not met", median))
                if command == "--help" {
                    Measure.line(
                        String(format: "startup %@, goal peak <= 10 MiB: %@ (%.2f MiB)", key, peak <= 10 ? "met" : "not met", peak))
                }
            }
        }
    }

    /// The first executable `name` on PATH.
    private static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `path arguments` with standard output and error to /dev/null; its wall time in
    /// seconds. Throws when it cannot start or exits with a failure.
    private static func spawnAndWait(_ path: String, _ arguments: [String]) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw FetchBenchmark.Failure("cannot start \(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid else { throw FetchBenchmark.Failure("wait4 failed for \(path)") }
        let elapsed = ContinuousClock.now - start
        guard status == 0 else { throw FetchBenchmark.Failure("\(path) \(arguments.joined(separator: " ")) exited with status \(status)") }
        let components = elapsed.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
