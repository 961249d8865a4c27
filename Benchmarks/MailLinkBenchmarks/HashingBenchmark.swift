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
