// Throughput of MailAuth's pure-Swift hashes, for comparison with `openssl speed -evp sha256`.
// Usage: swift run -c release MailLinkBenchmarks hashing [megabytes]   (default 64)

import Foundation
import MailAuth

enum HashingBenchmark {
    static func run(arguments: [String]) async throws {
        let megabytes = arguments.first.flatMap(Int.init) ?? 64
        let data = (0..<megabytes << 20).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        measure("SHA-256", data: data) { SHA256.hash($0) }
        measure("SHA-1", data: data) { SHA1.hash($0) }
        measure("MD5", data: data) { MD5.hash($0) }

        let clock = ContinuousClock()
        let rounds = 20
        let start = clock.now
        for round in 0..<rounds {
            _ = PBKDF2<SHA256>.deriveKey(
                password: Array("pencil".utf8), salt: [UInt8(round)], iterations: 4096, keyByteCount: 32)
        }
        let seconds = seconds(clock.now - start)
        print(String(format: "PBKDF2-HMAC-SHA-256 (4096 iterations, one SCRAM login): %.1f ms each", seconds / Double(rounds) * 1000))
    }

    private static func measure(_ name: String, data: [UInt8], hash: ([UInt8]) -> [UInt8]) {
        _ = hash(Array(data.prefix(1 << 20)))  // warm up
        let clock = ContinuousClock()
        let start = clock.now
        let digest = hash(data)
        let elapsed = seconds(clock.now - start)
        let megabytes = Double(data.count) / 1_048_576
        print(
            String(
                format: "%@ over %.0f MB: %.1f MB/s (%@…)", name, megabytes, megabytes / elapsed,
                HexEncoding.encode(Array(digest.prefix(4)))))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
