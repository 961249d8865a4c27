import Foundation
import Testing

@testable import FolderRouting

/// Deliveries that arrive together are committed together; each caller still gets its own
/// outcomes, and one caller's fault stays its own.
@Suite("MaildirStore group commit")
struct MaildirStoreGroupCommitTests {
    let directory = TemporaryDirectory()

    func batch(_ caller: Int, folder: Folder = .inbox, count: Int = 20) -> [IncomingMessage] {
        (0..<count).map {
            IncomingMessage(
                bytes: Array("Subject: \(caller)/\($0)\r\n\r\ncaller \(caller) message \($0)\r\n".utf8), folder: folder,
                origin: MessageOrigin(account: "account\(caller)", uidl: "u\($0)"))
        }
    }

    func deliverAll(_ store: MaildirStore, callers: Range<Int>) async throws -> [Int: [DeliveryOutcome]] {
        try await withThrowingTaskGroup(of: (Int, [DeliveryOutcome]).self) { group in
            for caller in callers { group.addTask { (caller, try await store.deliver(batch(caller))) } }
            var results: [Int: [DeliveryOutcome]] = [:]
            for try await (caller, outcomes) in group { results[caller] = outcomes }
            return results
        }
    }

    @Test("concurrent deliveries each get their own outcomes, in order; every message is stored once")
    func concurrentCallers() async throws {
        let store = try await MaildirStore.open(at: directory.path + "/Maildir")
        let results = try await deliverAll(store, callers: 0..<16)
        for caller in 0..<16 {
            let outcomes = try #require(results[caller])
            #expect(outcomes.count == 20 && outcomes.allSatisfy(\.isDelivered))
            for (number, outcome) in outcomes.enumerated() {
                guard case .delivered(let id) = outcome else { continue }
                #expect(try await store.read(id.id) == batch(caller)[number].bytes, "caller \(caller)'s message \(number)")
            }
        }
        #expect(try await store.messages(in: .inbox).count == 320)
        let again = try await deliverAll(store, callers: 0..<16)
        #expect(again.values.allSatisfy { $0.count == 20 && $0.allSatisfy { !$0.isDelivered } }, "all duplicates")
        #expect(try await store.messages(in: .inbox).count == 320)
        await store.close()
    }

    @Test("a caller whose folder cannot be created fails alone; the others' messages are delivered")
    func faultStaysWithItsCaller() async throws {
        let store = try await MaildirStore.open(at: directory.path + "/Maildir")
        let broken = try Folder(["Broken"])
        // A plain file where the folder's directory would go: creating the folder fails.
        #expect(FileManager.default.createFile(atPath: directory.path + "/Maildir/.Broken", contents: Data("x".utf8)))
        for round in 0..<5 {
            let outcomes = await withTaskGroup(of: (Int, Result<[DeliveryOutcome], any Error>).self) { group in
                for caller in 0..<8 {
                    group.addTask {
                        let messages = caller == 3 ? batch(100 + round, folder: broken) : batch(caller * 10 + round)
                        do { return (caller, .success(try await store.deliver(messages))) } catch { return (caller, .failure(error)) }
                    }
                }
                var outcomes: [Int: Result<[DeliveryOutcome], any Error>] = [:]
                for await (caller, result) in group { outcomes[caller] = result }
                return outcomes
            }
            for (caller, result) in outcomes {
                switch result {
                case .success(let delivered):
                    #expect(caller != 3, "round \(round): the broken folder's delivery cannot succeed")
                    #expect(delivered.allSatisfy { $0.isDelivered }, "round \(round), caller \(caller)")
                case .failure(let error):
                    #expect(caller == 3, "round \(round): caller \(caller) failed with \(error)")
                }
            }
        }
        #expect(try await store.messages(in: .inbox).count == 7 * 20 * 5)
        await store.close()
    }
}
