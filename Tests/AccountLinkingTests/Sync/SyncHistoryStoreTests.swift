import AccountLinking
import Foundation
import MailMessage
import Testing

@Suite("SyncHistoryStore")
struct SyncHistoryStoreTests {
    private let account = AccountID(try! EmailAddress("ann@example.net"))

    /// Check `index`: a success with counts, or every third one a failure; whole seconds, as the file keeps them.
    private func check(_ index: Int) -> SyncCheck {
        let time = Date(timeIntervalSince1970: 1_800_000_000 + Double(index) * 60)
        if index % 3 == 0 {
            return SyncCheck(time: time, result: .failure(LinkDiagnosisError(LinkDiagnosis(
                stage: .authentication, summary: "the server refused the password \(index)", serverText: "-ERR [AUTH] no",
                suggestion: "Check the password.", isTransient: false))))
        }
        var report = MailboxSync.Report()
        report.listed = 10 + index
        report.fetched = index
        report.bytes = 1000 * index
        report.skippedTooLarge = index == 4 ? ["big-1"] : []
        report.uniqueIDReset = index == 5
        report.loginDelay = index == 7 ? .seconds(900) : nil
        return SyncCheck(time: time, result: .success(report))
    }

    private func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "maillink-history-\(UUID().uuidString)"
    }

    @Test("the file store keeps the newest checks, in order, exactly as recorded, across instances (a restart)")
    func fileStoreRoundTrip() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try FileSyncHistoryStore(directory: directory)
        for index in 1...25 { try await store.record(check(index), for: account, keeping: 20) }
        let expected = (6...25).map(check)
        #expect(try await store.checks(for: account) == expected)
        let reopened = try FileSyncHistoryStore(directory: directory)
        #expect(try await reopened.checks(for: account) == expected)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path(for: account))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: store.path(for: account), encoding: .utf8)
        #expect(text.contains("\"format\" : \"maillink-history\""))
        #expect(text.contains("\"stage\" : \"authentication\""))
        #expect(try await store.checks(for: AccountID(try EmailAddress("bob@example.net"))).isEmpty)
    }

    @Test("an unreadable history file is reported when read, and replaced by the next record")
    func corruptFile() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try FileSyncHistoryStore(directory: directory)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: store.path(for: account)))
        await #expect(throws: StateFileError.self) { try await store.checks(for: account) }
        try await store.record(check(1), for: account, keeping: 20)
        #expect(try await store.checks(for: account) == [check(1)])
        try await store.removeChecks(for: account)
        #expect(try await store.checks(for: account).isEmpty)
        try await store.removeChecks(for: account)  // removing twice is fine
    }

    @Test("the in-memory store keeps the newest checks too")
    func inMemory() async throws {
        let store = InMemorySyncHistoryStore()
        for index in 1...5 { await store.record(check(index), for: account, keeping: 3) }
        #expect(await store.checks(for: account) == (3...5).map(check))
        await store.removeChecks(for: account)
        #expect(await store.checks(for: account).isEmpty)
    }
}
