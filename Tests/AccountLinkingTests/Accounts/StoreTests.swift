import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTransport
import Testing

@Suite("The file stores: formats, modes, corrupt files")
struct StoreTests {
    let directory = NSTemporaryDirectory() + "maillink-stores-\(UUID().uuidString)"

    static func account(_ address: String = "Alice@Example.COM") throws -> LinkedAccount {
        LinkedAccount(
            address: try EmailAddress(address),
            incoming: ServerSettings(host: "pop.example.com", port: 995, security: .tls, user: "alice"),
            outgoing: ServerSettings(host: "smtp.example.com", port: 587, security: .startTLS, user: "alice"),
            connection: ConnectionPolicy(pins: [CertificateFingerprintFixture.pin], timeoutSeconds: 20),
            destination: .folder(try Folder(["Linked", "Alice"])), marker: .custom(red: 1, green: 2, blue: 3),
            rules: [RoutingRule(name: "Lists", when: .all([.listID(.contains("swift")), .not(.from(.equals("x@y.z")))]), destination: .inbox)],
            linkedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("accounts are stored as documented, versioned JSON with stable keys, mode 0600, and read back")
    func accountsFormat() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        let account = try Self.account()
        try await store.update { $0.append(account) }
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"format\" : \"maillink-accounts\""))
        #expect(text.contains("\"version\" : 1"))
        #expect(text.contains("\"id\" : \"alice@example.com\""))
        #expect(text.contains("\"address\" : \"Alice@example.com\""))
        #expect(text.contains("\"security\" : \"starttls\""))
        #expect(text.contains("\"destination\" : {\n"))
        #expect(text.contains("\"folder\" : [\n"))
        #expect(text.contains("\"marker\" : \"#010203\""))
        #expect(text.contains("\"status\" : \"pending\""))
        #expect(text.contains("\"linkedAt\" : \"2027-01-15T08:00:00Z\""))
        #expect(!text.contains("_0"))
        #expect(try Self.mode(store.path) == 0o600)
        #expect(try await store.accounts() == [account])
        #expect(try await FileAccountStore(path: store.path).account(AccountID(parsing: "alice@example.com")) == account)
    }

    @Test("a corrupt accounts file gives a clear error and is left exactly as it is")
    func corruptAccounts() async throws {
        let store = try FileAccountStore(path: directory + "/accounts.json")
        try await store.update { $0.append(try Self.account()) }
        let original = try String(contentsOfFile: store.path, encoding: .utf8)
        let corrupted = original.replacingOccurrences(of: "\"security\" : \"tls\"", with: "\"security\" : \"ssl3\"")
        try corrupted.write(toFile: store.path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: StateFileError.self) { try await store.accounts() }
        #expect(error?.code == .unreadable)
        #expect(error?.description.contains("security") == true)
        await #expect(throws: StateFileError.self) { try await store.update { $0.removeAll() } }
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == corrupted)

        try "{ not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        await #expect(throws: StateFileError.self) { try await store.accounts() }
    }

    @Test("a file from a newer version is refused, not misread")
    func newerVersion() async throws {
        let path = directory + "/accounts.json"
        let store = try FileAccountStore(path: path)
        try #"{"format": "maillink-accounts", "version": 2, "accounts": []}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: StateFileError.self) { try await store.accounts() }
        #expect(error?.code == .newerVersion)
    }

    @Test("secrets are kept with mode 0600 and a token provider is refused by the file store")
    func secrets() async throws {
        let store = try FileCredentialStore(path: directory + "/secrets.json")
        let id = try AccountID(parsing: "alice@example.com")
        try await store.setSecret(.password("pässword\r"), for: id)
        #expect(try Self.mode(store.path) == 0o600)
        guard case .password(let read)? = try await store.secret(for: id) else {
            Issue.record("no password")
            return
        }
        #expect(read == "pässword\r")
        let error = await #expect(throws: StateFileError.self) {
            try await store.setSecret(.oauth2(.fixed("token")), for: id)
        }
        #expect(error?.code == .unsupportedSecret)
        try await store.setSecret(nil, for: id)
        #expect(try await store.secret(for: id) == nil)
    }

    @Test("the default identity and sync records live in their own files")
    func identitiesAndSyncState() async throws {
        let identities = try FileIdentityStore(path: directory + "/identities.json")
        #expect(try await identities.defaultIdentity() == nil)
        let id = try AccountID(parsing: "Bob@Example.org")
        try await identities.setDefaultIdentity(id)
        #expect(try await identities.defaultIdentity() == id)
        #expect(try String(contentsOfFile: identities.path, encoding: .utf8).contains("\"defaultIdentity\" : \"bob@example.org\""))

        let states = try FileSyncStateStore(directory: directory + "/state")
        var state = SyncState()
        state.markDelivered(["a", "b"], now: Date(timeIntervalSince1970: 1))
        try await states.save(state, for: id.rawValue)
        #expect(try await states.state(for: id.rawValue) == state)
        try await states.removeState(for: id.rawValue)
        #expect(try await states.state(for: id.rawValue) == SyncState())
    }

    @Test("account identities ignore case and the Unicode form of the domain")
    func accountID() throws {
        #expect(try AccountID(parsing: "Alice@Example.COM") == AccountID(parsing: "alice@example.com"))
        #expect(try AccountID(parsing: "a@bücher.example") == AccountID(parsing: "A@xn--bcher-kva.example"))
        #expect(try AccountID(parsing: "a@bücher.example").description == "a@xn--bcher-kva.example")
    }
}

enum CertificateFingerprintFixture {
    static let pin = CertificateFingerprint(String(repeating: "ab", count: 32))!
}
