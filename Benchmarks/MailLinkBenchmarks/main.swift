// MailLinkBenchmarks: prints one line per figure; never asserts a time.
// Usage: MailLinkBenchmarks <name> [arguments…]   (run a release build: swift run -c release MailLinkBenchmarks …)
// Each benchmark is an enum with `static func run(arguments: [String]) async throws` in its own file.

import Foundation

let benchmarks: [String: @Sendable ([String]) async throws -> Void] = [
    "block-reader": { try await TransportBenchmark.runBlockReader(arguments: $0) },
    "tls-download": { try await TransportBenchmark.runTLSDownload(arguments: $0) },
    "hashing": { try await HashingBenchmark.run(arguments: $0) },
    "discovery": { try await DiscoveryBenchmark.run(arguments: $0) },
    "send": { try await SendBenchmark.run(arguments: $0) },
    "maildir": { try await MaildirDeliveryBenchmark.run(arguments: $0) },
    "headers": { try await HeaderParsingBenchmark.run(arguments: $0) },
    "fetch": { try await FetchBenchmark.run(arguments: $0) },
    "lying-sizes": { try await LyingSizesBenchmark.run(arguments: $0) },
    "imap-fetch": { try await IMAPFetchBenchmark.run(arguments: $0) },
    "imap-push": { try await IMAPPushBenchmark.run(arguments: $0) },
    "sync-many": { try await SchedulerBenchmark.runSyncMany(arguments: $0) },
    "simulate-day": { try await SchedulerBenchmark.runSimulation(arguments: $0) },
    "startup": { try await StartupBenchmark.run(arguments: $0) },
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let benchmark = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: MailLinkBenchmarks <name> [args]; names: \(names)\n".utf8))
    exit(2)
}
do {
    try await benchmark(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("benchmark \(name) failed: \(error)\n".utf8))
    exit(1)
}
