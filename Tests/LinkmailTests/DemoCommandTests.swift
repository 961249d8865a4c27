import MailTesting
import Foundation
import TestbedSupport
import Testing

@Suite("linkmail demo")
struct DemoCommandTests {
    @Test("the demo runs the whole flow on built-in fake servers and passes the four acceptance checks")
    func demo() async throws {
        let directory = NSTemporaryDirectory() + "linkmail-demo-test-\(UUID().uuidString)"
        let result = try await LinkmailRunner.run(["demo", "--dir", directory])
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        let checks = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ") }
        #expect(checks.count == 4)
        #expect(checks.allSatisfy { $0.hasPrefix("PASS ") })
        // The linked mail is really on disk, in a Maildir++ folder named after the account.
        let folder = directory + "/Maildir/.you@linked_example/cur"  // marked: straight to cur/ with its keyword
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 4)
    }
}
