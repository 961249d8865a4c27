import Foundation
import TestbedSupport
import Synchronization
import Testing

@Suite("TestbedEnvironment: users, folders and locks")
struct TestbedEnvironmentLocksTests {
    static func bench() throws -> (TestbedEnvironment, String) {
        let directory = NSTemporaryDirectory() + "maillink-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        return (try TestbedEnvironment(parsing: TestbedEnvironmentTests.envText(directory: directory)), directory)
    }

    @Test("the LMTP port is read when present")
    func lmtpPort() throws {
        let directory = "/tmp/bench"
        #expect(try TestbedEnvironment(parsing: TestbedEnvironmentTests.envText(directory: directory)).lmtpPort == nil)
        let withLMTP = TestbedEnvironmentTests.envText(directory: directory, extra: "MAILLINK_LMTP_PORT=21024")
        #expect(try TestbedEnvironment(parsing: withLMTP).lmtpPort == 21024)
    }

    @Test("a second user of a mailbox waits until the first lock is released")
    func exclusiveUse() async throws {
        let (bench, directory) = try Self.bench()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let user = try #require(bench.users.first)
        let first = try await bench.exclusiveUse(of: [user])
        let order = Mutex<[String]>([])
        let second = Task {
            let lock = try await bench.exclusiveUse(of: [user])
            order.withLock { $0.append("second") }
            lock.release()
        }
        try await Task.sleep(for: .milliseconds(300))
        order.withLock { $0.append("first released") }
        first.release()
        try await second.value
        #expect(order.withLock { $0 } == ["first released", "second"])
    }
}
