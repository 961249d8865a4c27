import Foundation
import Testing

@testable import FolderRouting

#if canImport(Glibc)
    import Glibc
#endif

/// A store path that cannot hold a Maildir gives a MailStoreError that names the path and says
/// what is wrong with it, never a raw system or Foundation error.
@Suite("MaildirStore location errors")
struct MaildirStoreLocationTests {
    let directory = TemporaryDirectory()

    private func regularFile() throws -> String {
        let path = directory.path + "/not-a-directory"
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a path that is a regular file is notWritable and says it is a file")
    func regularFilePath() async throws {
        let path = try regularFile()
        let error = await #expect(throws: MailStoreError.self) { _ = try await MaildirStore.open(at: path) }
        #expect(error?.code == .notWritable)
        #expect(error?.path == path)
        #expect(error?.description.contains("\(path) is a file") == true)
        #expect(error?.recoverySuggestion.contains("names a file, not a folder") == true)
    }

    @Test("a path under a regular file is notWritable and names the path")
    func underRegularFile() async throws {
        let path = try regularFile() + "/Maildir"
        let error = await #expect(throws: MailStoreError.self) { _ = try await MaildirStore.open(at: path) }
        #expect(error?.code == .notWritable)
        #expect(error?.path == path)
        #expect(error?.description.contains("is a file, or lies under a file") == true)
    }

    @Test("an existing directory on a read-only file system says so")
    func readOnlyDirectory() async throws {
        // Root may write anywhere, so the read-only mount is simulated at the system-call seam.
        let path = directory.path + "/Maildir"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let fileSystem = POSIXFileSystem(fault: { $0 == .checkWritable ? EROFS : nil })
        let error = await #expect(throws: MailStoreError.self) {
            _ = try await MaildirStore.open(at: path, options: .init(), fileSystem: fileSystem)
        }
        #expect(error?.code == .notWritable)
        #expect(error?.errno == EROFS)
        #expect(error?.description.contains("\(path) is on a read-only file system") == true)
        #expect(error?.recoverySuggestion.contains("read-only") == true)
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
    }

    @Test("a directory that cannot be created on a read-only file system says so")
    func readOnlyParent() async throws {
        let path = directory.path + "/new/Maildir"
        let fileSystem = POSIXFileSystem(fault: { $0 == .makeDirectory ? EROFS : nil })
        let error = await #expect(throws: MailStoreError.self) {
            _ = try await MaildirStore.open(at: path, options: .init(), fileSystem: fileSystem)
        }
        #expect(error?.code == .notWritable)
        #expect(error?.description.contains("read-only file system") == true)
    }

    @Test("a directory this program may not write says permission denied")
    func permissionDenied() async throws {
        let path = directory.path + "/Maildir"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let fileSystem = POSIXFileSystem(fault: { $0 == .checkWritable ? EACCES : nil })
        let error = await #expect(throws: MailStoreError.self) {
            _ = try await MaildirStore.open(at: path, options: .init(), fileSystem: fileSystem)
        }
        #expect(error?.code == .notWritable)
        #expect(error?.description.contains("permission denied") == true)
    }
}
