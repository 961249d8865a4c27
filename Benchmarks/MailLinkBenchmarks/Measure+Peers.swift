import Foundation

/// Running a client program (ours or a peer) the way the benchmarks compare them: wall time
/// around the whole process, peak memory from the kernel, a hard time limit, output kept aside.
extension Measure {
    /// What one measured run of a program gave.
    struct ProcessRun: Sendable {
        /// Wall time from spawn to exit, in seconds (includes `/usr/bin/time` and `timeout`, a few ms).
        var seconds: Double
        /// The program's exit status (124 when `timeout` stopped it).
        var status: Int32
        /// The largest resident set of the program or any of its children (`/usr/bin/time -f %M`,
        /// the kernel's `ru_maxrss` from `wait4`), in KiB; nil when it could not be read.
        var peakKiB: Int?
        /// The time limit the program ran under, in seconds.
        var timeLimit: Int
        /// Whether the time limit stopped the program: `timeout` exits 124 after SIGTERM, or dies
        /// of SIGKILL (137) when the program ignored SIGTERM and `-k` had to kill it.
        var timedOut: Bool { status == 124 || (status == 137 && seconds >= Double(timeLimit)) }
        /// The last lines the program wrote to standard error, for a failure message.
        var errorTail: String
        /// Peak memory in MiB (NaN when unknown).
        var peakMiB: Double { peakKiB.map { Double($0) / 1024 } ?? .nan }
    }

    /// `env` arguments that start a program with every signal unblocked and at its default action.
    /// Needed because a child inherits the signal mask of the thread that spawned it, and the
    /// Swift runtime's threads block most signals (SIGCHLD, SIGTERM among them): getmail, which
    /// waits for its delivery processes through a SIGCHLD handler, crawls with SIGCHLD blocked,
    /// and neither `timeout` nor a SIGTERM could stop the latency relay. A program started from
    /// a shell gets this clean state; so must every program the benchmarks measure.
    static let cleanSignals = ["--default-signal"]

    /// `env` arguments that remove what this machine's environment adds to a default Debian one
    /// and what would change the figures: `SSL_CERT_FILE` names the CA bundle, which makes
    /// OpenSSL-based clients parse all of it (about 150 certificates, 45 ms and 0.5–1.3 MiB for
    /// linkmail) instead of reading only the issuer they need from the hashed `/etc/ssl/certs`.
    /// Clients that load OpenSSL's default paths (mbsync) read the same bundle either way,
    /// through `/usr/lib/ssl/cert.pem`.
    static let defaultEnvironment = ["-u", "SSL_CERT_FILE"]

    /// The rule line the benchmarks print for ``defaultEnvironment``.
    static let defaultEnvironmentRule =
        "every program runs without SSL_CERT_FILE (set on this machine, not on a default Debian system): env -u"

    /// The GNU `time` program: `%M` is the peak RSS of the child and its reaped descendants.
    static let timeProgram = "/usr/bin/time"

    /// Runs `arguments` (program first, found on the PATH by `timeout`) under `/usr/bin/time -f %M`
    /// and `timeout`, standard output and error into files under `logDirectory` named `label`.
    /// Blocks the calling thread until the program ends: the benchmarks run one program at a time.
    static func runMeasured(
        _ arguments: [String], label: String, logDirectory: String, timeLimit: Int,
        environment: [String: String]? = nil
    ) throws -> ProcessRun {
        let peakFile = logDirectory + "/\(label).peak"
        let outFile = logDirectory + "/\(label).out"
        let errFile = logDirectory + "/\(label).err"
        for file in [peakFile, outFile, errFile] {
            _ = FileManager.default.createFile(atPath: file, contents: nil)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // -k: a program that ignores SIGTERM is killed 5 s later, so a run never outlives its cap by much.
        process.arguments =
            cleanSignals + defaultEnvironment
            + [timeProgram, "-f", "%M", "-o", peakFile, "timeout", "-k", "5", "\(timeLimit)"] + arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outFile)
        process.standardError = FileHandle(forWritingAtPath: errFile)
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // GNU time writes "Command exited with non-zero status N" before the figure on failure.
        let peak = (try? String(contentsOfFile: peakFile, encoding: .utf8))?
            .split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let errors = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        let tail = errors.split(separator: "\n").suffix(3).joined(separator: " | ")
        return ProcessRun(
            seconds: seconds, status: process.terminationStatus, peakKiB: peak, timeLimit: timeLimit, errorTail: tail)
    }

    /// Writes progress to standard error, so that standard output holds only figures.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes one line to standard output at once (unbuffered, unlike `print` into a pipe), so
    /// that figures interleave with the progress lines and survive an interrupted run.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// One figure line, formatted as ``report(_:_:_:note:)`` does, written at once.
    static func figure(_ name: String, _ value: Double, _ unit: String, note: String = "") {
        let formatted = value.isNaN ? "n/a" : String(format: value >= 100 ? "%.0f" : "%.2f", value)
        line("\(name): \(formatted) \(unit)\(note.isEmpty ? "" : "  (\(note))")")
    }

    /// One ratio line: `name: 2.31 x`, with an optional note.
    static func ratio(_ name: String, _ value: Double, note: String = "") {
        let formatted = value.isFinite ? String(format: "%.2f x", value) : "n/a"
        line("\(name): \(formatted)\(note.isEmpty ? "" : "  (\(note))")")
    }

    /// Writes `text` to a new file readable only by its owner (peer configs hold a password).
    static func writePrivateFile(_ path: String, _ text: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
