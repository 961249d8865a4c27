// Throughput of MailAuth's pure-Swift hashes, for comparison with `openssl speed -evp sha256 -bytes 8192`.
// Usage: swift run -c release MailLinkBenchmarks hashing [megabytes]   (default 64)

import Foundation
import MailAuth

enum HashingBenchmark {
    static func run(arguments: [String]) async throws {
        let megabytes = arguments.first.flatMap(Int.init) ?? 64
        let data = (0..<megabytes << 20).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        await measure("SHA-256", data: data) { SHA256.hash($0) }
        await measure("SHA-1", data: data) { SHA1.hash($0) }
        await measure("MD5", data: data) { MD5.hash($0) }

        let rounds = 20
        let seconds = await Measure.best(of: 3) {
            for round in 0..<rounds {
                _ = PBKDF2<SHA256>.deriveKey(
                    password: Array("pencil".utf8), salt: [UInt8(round)], iterations: 4096, keyByteCount: 32)
            }
        }
        print(
            String(
                format: "PBKDF2-HMAC-SHA-256, 4096 iterations (one SCRAM-SHA-256 login): %.2f ms",
                seconds / Double(rounds) * 1000))

        // RFC 6070's slow vector: too long for the debug test suite, checked here in release.
        var derived: [UInt8] = []
        let slow = await Measure.seconds {
            derived = PBKDF2<SHA1>.deriveKey(
                password: Array("password".utf8), salt: Array("salt".utf8), iterations: 16_777_216, keyByteCount: 20)
        }
        let expected = "eefe3d61cd4da4e4e9945b3d6ba2158c2634e984"
        let matches = HexEncoding.encode(derived) == expected
        print(String(format: "PBKDF2-HMAC-SHA-1, RFC 6070 16777216-iteration vector: %@ in %.1f s", matches ? "matches" : "MISMATCH", slow))
        if !matches { throw HashingBenchmarkError.vectorMismatch }
    }

    /// Best of three runs over the whole buffer, in MB/s (1 MB = 2^20 bytes).
    private static func measure(_ name: String, data: [UInt8], hash: ([UInt8]) -> [UInt8]) async {
        var digest: [UInt8] = []
        let seconds = await Measure.best(of: 3) { digest = hash(data) }
        let megabytes = Double(data.count) / 1_048_576
        print(
            String(
                format: "%@ over %.0f MB: %.1f MB/s (digest %@…)", name, megabytes, megabytes / seconds,
                HexEncoding.encode(Array(digest.prefix(4)))))
    }
}

/// The slow RFC 6070 vector gave another key.
enum HashingBenchmarkError: Error { case vectorMismatch }
