import Foundation
import Testing

@testable import MailTransport

/// Which of the system's trust sources a client context reads (``SystemTrust``): a hashed
/// certificate directory alone, each issuer read on demand, or OpenSSL's defaults.
@Suite("System trust: hashed directory or OpenSSL's defaults")
struct SystemTrustTests {
    private func folder(_ names: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trust-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for name in names { _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data("x".utf8)) }
        return path
    }

    @Test("a directory holding subject-hash names is read alone")
    func hashed() throws {
        let directory = try folder(["ca-certificates.crt", "ISRG_Root_X1.pem", "4042bcee.0"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(SystemTrust.choose(certificateFile: nil, certificateDirectories: directory) == .hashedDirectories(directory))
        #expect(SystemTrust.choose(certificateFile: "", certificateDirectories: directory) == .hashedDirectories(directory))
        let list = "/nonexistent-maillink:" + directory
        #expect(SystemTrust.choose(certificateFile: nil, certificateDirectories: list) == .hashedDirectories(list))
    }

    @Test("no hashed name, a missing directory, or SSL_CERT_FILE set: OpenSSL's defaults")
    func defaults() throws {
        let plain = try folder(["ca-certificates.crt", "ISRG_Root_X1.pem", "4042bcee.r0", "4042bce.0", "4042BCEE.0"])
        let hashed = try folder(["4042bcee.1"])
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: hashed)
        }
        #expect(SystemTrust.choose(certificateFile: nil, certificateDirectories: plain) == .defaultPaths)
        #expect(SystemTrust.choose(certificateFile: nil, certificateDirectories: "/nonexistent-maillink") == .defaultPaths)
        #expect(SystemTrust.choose(certificateFile: "/etc/bundle.pem", certificateDirectories: hashed) == .defaultPaths)
    }

    @Test("hashed names: eight lowercase hex digits, a dot, a sequence number")
    func names() {
        for name in ["5ad8a5d6.0", "002c0b4f.12"] { #expect(SystemTrust.isHashedName(Array(name.utf8)), "\(name)") }
        for name in ["5ad8a5d6.", "5ad8a5d6.r0", "5ad8a5d60", "5AD8A5D6.0", "5ad8a5g6.0", "ca.pem", "5ad8a5d6.0.pem"] {
            #expect(!SystemTrust.isHashedName(Array(name.utf8)), "\(name)")
        }
    }
}
