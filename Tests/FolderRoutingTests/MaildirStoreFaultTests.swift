import Foundation
import Testing

@testable import FolderRouting

/// A full disk, a read-only folder, a failing sync: each is a typed error and leaves no message visible.
@Suite("MaildirStore faults")
struct MaildirStoreFaultTests {
    /// Fails the `failOn`-th call of one operation (1-based) with `errno`, every later one too when `sticky`.
    final class FaultPlan: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [POSIXFileSystem.Operation: Int] = [:]
        private var plan: (operation: POSIXFileSystem.Operation, failOn: Int, errno: Int32)?

        func arm(_ operation: POSIXFileSystem.Operation, failOn: Int = 1, errno: Int32) {
            lock.withLock {
                counts = [:]
                plan = (operation, failOn, errno)
            }
        }

        func disarm() { lock.withLock { plan = nil } }

        func check(_ operation: POSIXFileSystem.Operation) -> Int32? {
            lock.withLock {
                counts[operation, default: 0] += 1
                guard let plan, plan.operation == operation, counts[operation] == plan.failOn else { return nil }
                return plan.errno
            }
        }
    }

    let directory = TemporaryDirectory()
    let plan = FaultPlan()
    var root: String { directory.path + "/Maildir" }

    func open() async throws -> MaildirStore {
        let plan = plan
        return try await MaildirStore.open(
            at: root, options: .init(), fileSystem: POSIXFileSystem(fault: { plan.check($0) }))
    }

    func batch(_ count: Int, from first: Int = 0) -> [IncomingMessage] {
        (first..<first + count).map {
            IncomingMessage(
                bytes: Array("message \($0)\n".utf8), folder: .inbox, marker: .red,
                origin: MessageOrigin(account: "a", uidl: "\($0)"))
        }
    }

    /// Nothing in new/, cur/ or tmp/, and no origin known.
    func expectNothingVisible(_ store: MaildirStore, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for sub in ["new", "cur", "tmp"] {
            #expect(
                directory.names(in: "Maildir/" + sub).isEmpty, "\(sub)/ is not empty", sourceLocation: sourceLocation)
        }
        #expect(try await store.messages(in: .inbox).isEmpty, sourceLocation: sourceLocation)
        #expect(
            try await store.message(from: MessageOrigin(account: "a", uidl: "0")) == nil, sourceLocation: sourceLocation
        )
    }

    @Test(
        "a failure at any step of a batch is a typed error and no message of the batch is visible",
        arguments: [
            (POSIXFileSystem.Operation.write, 2, ENOSPC, MailStoreError.Code.diskFull),
            (.write, 1, EDQUOT, .diskFull),
            (.createTemporary, 3, EACCES, .notWritable),
            (.createTemporary, 1, EROFS, .notWritable),
            (.sync, 2, EIO, .ioFailure),
            (.appendIndex, 1, ENOSPC, .diskFull),
            (.rename, 2, ENOSPC, .diskFull),
            (.sync, 4, EIO, .ioFailure),  // the index's sync after the three files'
            (.sync, 5, EIO, .ioFailure),  // the sync of new/ after the renames
        ])
    func batchFailure(
        operation: POSIXFileSystem.Operation, failOn: Int, errno: Int32, code: MailStoreError.Code
    ) async throws {
        let store = try await open()
        let indexBefore = try Data(contentsOf: URL(fileURLWithPath: root + "/" + MaildirIndex.fileName))
        plan.arm(operation, failOn: failOn, errno: errno)
        await #expect { _ = try await store.deliver(batch(3)) } throws: { ($0 as? MailStoreError)?.code == code }
        plan.disarm()
        try await expectNothingVisible(store)
        if operation == .appendIndex {
            let indexAfter = try Data(contentsOf: URL(fileURLWithPath: root + "/" + MaildirIndex.fileName))
            #expect(indexAfter == indexBefore)
        }
        // Nothing was delivered, so the next sync delivers the same messages.
        #expect(try await store.deliver(batch(3)).allSatisfy { $0.isDelivered })
        await store.close()
        let reopened = try await open()
        #expect(try await reopened.messages(in: .inbox).count == 3)
    }

    @Test("a full disk in the middle of a streamed delivery closes the writer and leaves nothing")
    func streamFailure() async throws {
        let store = try await open()
        let writer = try await store.beginDelivery(
            to: .inbox, marker: nil, origin: MessageOrigin(account: "a", uidl: "0"))
        try await writer.append([1, 2, 3])
        plan.arm(.write, errno: ENOSPC)
        await #expect(throws: MailStoreError.self) { try await writer.append([4]) }
        plan.disarm()
        await #expect { _ = try await writer.commit() } throws: { ($0 as? MailStoreError)?.code == .writerClosed }
        try await expectNothingVisible(store)
    }

    @Test("a folder whose tmp/ is not a directory is a notWritable error, not a crash")
    func unwritableFolder() async throws {
        let store = try await open()
        let folder = try Folder(["Broken"])
        try await store.createFolder(folder)
        try FileManager.default.removeItem(atPath: root + "/.Broken/tmp")
        try Data().write(to: URL(fileURLWithPath: root + "/.Broken/tmp"))
        await #expect { _ = try await store.deliver(IncomingMessage(bytes: [1], folder: folder)) } throws: {
            ($0 as? MailStoreError)?.code == .notWritable
        }
        #expect(directory.names(in: "Maildir/.Broken/new").isEmpty)
        if geteuid() != 0 {  // root ignores permissions, so only an ordinary user can check a read-only folder
            chmod(root + "/new", 0o500)
            defer { chmod(root + "/new", 0o700) }
            await #expect { _ = try await store.deliver(IncomingMessage(bytes: [1], folder: .inbox)) } throws: {
                ($0 as? MailStoreError)?.code == .notWritable
            }
        }
    }

    @Test("errors name the folder and the system error, never the message")
    func description() {
        let error = MailStoreError.system("write the message", errno: ENOSPC, folder: try? Folder(["Work"]))
        #expect(error.code == .diskFull)
        #expect(error.isTransient)
        #expect(error.description.contains("folder Work"))
        #expect(error.description.contains("No space left on device"))
        #expect(!error.recoverySuggestion.isEmpty)
    }
}
