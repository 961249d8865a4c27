import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Measure {
    /// What one child process cost: wall time, exit status and its peak resident memory.
    struct SpawnedRun {
        /// Wall-clock seconds from spawn to exit.
        var seconds: Double
        /// The exit status (128 + signal when killed by one).
        var status: Int32
        /// The program's peak resident memory in MiB, as GNU time's `%M` reports it: `ru_maxrss`
        /// over the program and every descendant it waited for (so a shell loop reports the
        /// biggest of its programs).
        var peakMiB: Double
        /// User plus system CPU seconds of the program and its waited-for descendants (GNU
        /// time's `%U + %S`; from `wait4` without it).
        var cpuSeconds: Double
    }

    /// Runs `shell` with `/bin/sh -c` (start it with `exec` so the program replaces the shell)
    /// under GNU time, and measures it.
    ///
    /// Why GNU time rather than this process's own `wait4`: Linux starts a child's `ru_maxrss`
    /// at its parent's resident size (the high-water mark survives fork and exec), so a child of
    /// this ~26 MiB benchmark would never report less. GNU time is a small parent (~2 MiB), so
    /// its figure is the program's own. Without it, the figure falls back to `wait4`'s, floored.
    static func spawnMeasured(shell: String) throws -> SpawnedRun {
        let timeProgram = "/usr/bin/time"
        let memoryFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "maillink-send-rss-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: memoryFile) }
        let useTime = FileManager.default.isExecutableFile(atPath: timeProgram)
        var pid: pid_t = 0
        let arguments =
            useTime
            ? [timeProgram, "-f", "%M %U %S", "-o", memoryFile, "/bin/sh", "-c", shell] : ["/bin/sh", "-c", shell]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let start = ContinuousClock.now
        let spawned = posix_spawn(&pid, arguments[0], nil, nil, &argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        let elapsed = ContinuousClock.now - start
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        var peakKiB = Double(usage.ru_maxrss)
        var cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        if useTime, let text = try? String(contentsOfFile: memoryFile, encoding: .utf8),
            let last = text.split(separator: "\n").last
        {
            let numbers = last.split(separator: " ").compactMap { Double($0) }
            if numbers.count == 3 {
                peakKiB = numbers[0]
                cpu = numbers[1] + numbers[2]
            }
        }
        return SpawnedRun(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            status: exitStatus, peakMiB: peakKiB / 1024, cpuSeconds: cpu)
    }

    /// Quotes `text` for `/bin/sh`.
    static func shellQuotedForSend(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
