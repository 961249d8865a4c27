import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Alias so interop tests can name a bench user without the nesting.
public typealias TestbedUser = TestbedEnvironment.User

/// The real-server test bench (`scripts/testbed start`): Dovecot, Postfix, dnsmasq and a static
/// HTTP(S) server on loopback, as its env file describes them.
///
/// The bench exists so that interop tests meet servers no one here wrote: POP3 with implicit TLS
/// (RFC 8314) and STLS (RFC 2595), SASL (RFC 5034), submission with STARTTLS and AUTH
/// (RFC 3207, RFC 4954), SRV records (RFC 6186) and autoconfig XML. `scripts/testbed` writes
/// `KEY=VALUE` lines (keys prefixed `MAILLINK_`) to `$MAILLINK_TESTBED_DIR/env`; this type reads
/// them into typed values.
///
/// Gate interop suites so they never skip silently under CI, where `scripts/test` exports
/// `MAILLINK_REQUIRE_INTEROP=1`: when the bench is missing there, the test runs and fails.
/// Name every interop suite starting with "Interop" (`scripts/test` checks that one passed).
///
/// ```swift
/// @Suite("Interop POP3 against Dovecot",
///        .enabled(if: TestbedEnvironment.shouldRunInteropTests, "needs scripts/testbed start"))
/// struct InteropPOP3Tests {
///     @Test("fetches what Postfix delivered")
///     func fetch() async throws {
///         let bench = try TestbedEnvironment.required()  // throws (fails) when required but absent
///         let user = try bench.claimUser("carol")
///         try bench.deliver(Data("Subject: hi\r\n\r\nbody\r\n".utf8), to: user)
///         // connect to bench.host:bench.pop3sPort trusting bench.caFile …
///     }
/// }
/// ```
public struct TestbedEnvironment: Sendable, Equatable {
    /// Where `scripts/testbed` writes the env file unless `MAILLINK_TESTBED_DIR` says otherwise.
    public static let defaultEnvFilePath = "/tmp/maillink-testbed/env"
    /// The environment variable naming the env file (exported by `scripts/test`).
    public static let envFileVariable = "MAILLINK_TESTBED_ENV"
    /// The environment variable that makes a missing bench a failure rather than a skip.
    public static let requireInteropVariable = "MAILLINK_REQUIRE_INTEROP"

    /// A host and TCP port on the bench.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// An IP address literal (the bench binds addresses, not names).
        public var host: String
        /// The TCP port.
        public var port: Int

        /// Makes an endpoint.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port`, with brackets around an IPv6 literal.
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// A mailbox on the bench: Dovecot serves it over POP3/IMAP, Postfix delivers into it.
    public struct User: Sendable, Hashable, CustomStringConvertible {
        /// The short name used in env keys, lower case (`alice`).
        public var key: String
        /// The e-mail address, also the login name (`alice@example.test`).
        public var address: String
        /// The known test password.
        public var password: String
        /// The Maildir (with `cur/`, `new/`, `tmp/`) that Dovecot serves for this user.
        public var maildir: String

        /// Makes a user.
        public init(key: String, address: String, password: String, maildir: String) {
            self.key = key
            self.address = address
            self.password = password
            self.maildir = maildir
        }

        /// The address with the password redacted: test logs must not teach bad habits.
        public var description: String { "\(address) (password redacted, Maildir \(maildir))" }
    }

    /// Why the bench could not be used; the description says what to run.
    public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong. Extensible: new codes may be added.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            /// The code's words.
            public let rawValue: String
            /// Makes a code.
            public init(_ rawValue: String) { self.rawValue = rawValue }
            /// The code's words.
            public var description: String { rawValue }

            /// No env file: the bench was never started, or was stopped.
            public static let notStarted = Code("test bench not started")
            /// The env file exists but its servers are not running (stale file).
            public static let notRunning = Code("test bench not running")
            /// The env file lacks a key this type needs.
            public static let missingKey = Code("missing key")
            /// A key's value does not parse (a port that is not a number, …).
            public static let invalidValue = Code("invalid value")
            /// The bench has no user by that name.
            public static let unknownUser = Code("unknown user")
        }

        /// What went wrong.
        public var code: Code
        /// The file, key or value involved.
        public var detail: String

        /// Makes an error.
        public init(_ code: Code, _ detail: String) {
            self.code = code
            self.detail = detail
        }

        /// The code, the detail, and what to try.
        public var description: String {
            switch code {
            case .notStarted, .notRunning:
                "\(code): \(detail); run `scripts/testbed install && scripts/testbed start` as root"
            default: "\(code): \(detail)"
            }
        }
    }

    /// Every `MAILLINK_` key of the env file, raw, for what has no typed accessor.
    public let values: [String: String]

    /// The bench's state directory (`MAILLINK_TESTBED_DIR`).
    public var directory: String { values["MAILLINK_TESTBED_DIR"] ?? "" }
    /// The IPv4 address every server listens on (`127.0.0.1`).
    public let host: String
    /// `::1` when the host has IPv6 (Dovecot listens there too), otherwise nil.
    public var hostIPv6: String? { nonEmpty("MAILLINK_HOST_IPV6") }
    /// The names and addresses the server certificate is valid for (`localhost`, `mail.example.test`, …).
    public var tlsNames: [String] { list("MAILLINK_TLS_NAMES") }

    /// POP3 without TLS; offers STLS (RFC 2595) and refuses plaintext logins before it.
    public let pop3Port: Int
    /// POP3 over implicit TLS (RFC 8314), the 995-style port.
    public let pop3sPort: Int
    /// IMAP offering STARTTLS, when the bench serves IMAP.
    public var imapPort: Int? { values["MAILLINK_IMAP_PORT"].flatMap { Int($0) } }
    /// IMAP over implicit TLS, when the bench serves IMAP.
    public var imapsPort: Int? { values["MAILLINK_IMAPS_PORT"].flatMap { Int($0) } }
    /// LMTP (RFC 2033) into the same Dovecot's mailboxes, plaintext on ``host``, when the bench
    /// serves it: `user+Folder@domain` lands in the user's folder `Folder` (created when missing),
    /// stored with CRLF line ends after the trace fields Dovecot adds (RFC 5321 §4.4).
    public var lmtpPort: Int? { values["MAILLINK_LMTP_PORT"].flatMap { Int($0) } }
    /// An address where Dovecot answers POP3 and IMAP on ``pop3Port`` and ``imapPort`` without
    /// any TLS: no STLS, no STARTTLS (a misconfigured server, for "STLS missing" tests).
    public var noTLSHost: String? { nonEmpty("MAILLINK_NOTLS_HOST") }
    /// An address of the same Dovecot (same ports) where plaintext logins before STLS really are
    /// refused: Dovecot counts a connection whose client and server IP are equal as secure, which
    /// 127.0.0.1 to 127.0.0.1 is.
    public let pop3StrictHost: String
    /// Submission with STARTTLS (RFC 3207) then AUTH (RFC 4954), the 587-style port.
    public let submissionPort: Int
    /// Submission over implicit TLS (RFC 8314), the 465-style port.
    public let smtpsPort: Int
    /// Postfix's `message_size_limit`, announced in EHLO `SIZE` (RFC 1870).
    public let messageSizeLimit: Int

    /// The dnsmasq server with the test zones (A, AAAA, MX and RFC 6186 SRV records).
    public let dns: Endpoint
    /// The autoconfig docroot over plain HTTP, e.g. `http://127.0.0.1:21080`.
    public let httpBaseURL: URL
    /// The same docroot over HTTPS with the bench certificate, e.g. `https://localhost:21443`.
    public let httpsBaseURL: URL

    /// The PEM file of the bench's certificate authority: trust it explicitly.
    public let caFile: String
    /// SHA-256 of the server certificate's DER, lowercase hex without colons (for pinning).
    public let serverCertificateSHA256: String
    /// A POP3S listener whose CA-signed certificate names another host (`wrongHostName`).
    public let wrongHost: Endpoint
    /// The only name the wrong-host certificate is valid for.
    public let wrongHostName: String
    /// A POP3S listener whose CA-signed certificate expired (valid names otherwise).
    public let expired: Endpoint
    /// A POP3S listener whose certificate is self-signed (not from the bench CA).
    public let selfSigned: Endpoint
    /// SHA-256 of the self-signed certificate's DER (lowercase hex): pin it to accept it.
    public let selfSignedSHA256: String
    /// A port nothing listens on: connecting fails at once with "connection refused".
    public let refused: Endpoint
    /// An endpoint whose SYNs are silently dropped: connecting hangs until the caller's timeout.
    public let blackhole: Endpoint

    /// The main test domain (`example.test`).
    public let domain: String
    /// Every domain Postfix delivers into the Maildirs.
    public var domains: [String] { list("MAILLINK_DOMAINS") }
    /// The uid to give files dropped into a Maildir (Dovecot runs as this user).
    public let vmailUID: Int
    /// The gid to give files dropped into a Maildir.
    public let vmailGID: Int
    /// Every mailbox, in the env file's order; the first is the primary one (`alice`).
    public let users: [User]

    /// Reads an env file's text. Unknown keys are kept in ``values``; lines that are blank or
    /// start with `#` are skipped; a value may be wrapped in single or double quotes.
    public init(parsing text: String) throws(LoadError) {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard key.hasPrefix("MAILLINK_") else { continue }
            values[key] = Self.unquoted(String(line[line.index(after: equals)...]))
        }
        self.values = values

        func string(_ key: String) throws(LoadError) -> String {
            guard let value = values[key], !value.isEmpty else { throw LoadError(.missingKey, key) }
            return value
        }
        func port(_ key: String) throws(LoadError) -> Int {
            let value = try string(key)
            guard let number = Int(value), (1...65535).contains(number) else {
                throw LoadError(.invalidValue, "\(key)=\(value) is not a TCP port")
            }
            return number
        }
        func number(_ key: String) throws(LoadError) -> Int {
            let value = try string(key)
            guard let number = Int(value), number >= 0 else {
                throw LoadError(.invalidValue, "\(key)=\(value) is not a number")
            }
            return number
        }
        func url(_ key: String) throws(LoadError) -> URL {
            let value = try string(key)
            guard let url = URL(string: value), url.scheme != nil, url.host != nil else {
                throw LoadError(.invalidValue, "\(key)=\(value) is not a URL")
            }
            return url
        }
        func endpoint(_ name: String) throws(LoadError) -> Endpoint {
            Endpoint(host: try string("MAILLINK_\(name)_HOST"), port: try port("MAILLINK_\(name)_PORT"))
        }

        host = try string("MAILLINK_HOST")
        pop3Port = try port("MAILLINK_POP3_PORT")
        pop3sPort = try port("MAILLINK_POP3S_PORT")
        pop3StrictHost = try string("MAILLINK_POP3_STRICT_HOST")
        submissionPort = try port("MAILLINK_SUBMISSION_PORT")
        smtpsPort = try port("MAILLINK_SMTPS_PORT")
        messageSizeLimit = try number("MAILLINK_MESSAGE_SIZE_LIMIT")
        dns = try endpoint("DNS")
        httpBaseURL = try url("MAILLINK_HTTP_BASE")
        httpsBaseURL = try url("MAILLINK_HTTPS_BASE")
        caFile = try string("MAILLINK_CA_FILE")
        serverCertificateSHA256 = try string("MAILLINK_SERVER_CERT_SHA256")
        wrongHost = try endpoint("WRONGHOST")
        wrongHostName = try string("MAILLINK_WRONGHOST_NAME")
        expired = try endpoint("EXPIRED")
        selfSigned = try endpoint("SELFSIGNED")
        selfSignedSHA256 = try string("MAILLINK_SELFSIGNED_SHA256")
        refused = try endpoint("REFUSED")
        blackhole = try endpoint("BLACKHOLE")
        domain = try string("MAILLINK_DOMAIN")
        vmailUID = try number("MAILLINK_VMAIL_UID")
        vmailGID = try number("MAILLINK_VMAIL_GID")

        var users: [User] = []
        for key in try string("MAILLINK_USERS").split(separator: ",") {
            let name = key.trimmingCharacters(in: .whitespaces)
            let prefix = "MAILLINK_USER_\(name.uppercased())_"
            users.append(
                User(
                    key: name.lowercased(), address: try string(prefix + "ADDRESS"),
                    password: try string(prefix + "PASSWORD"), maildir: try string(prefix + "MAILDIR")))
        }
        guard !users.isEmpty else { throw LoadError(.invalidValue, "MAILLINK_USERS lists no user") }
        self.users = users
    }

    /// Reads the env file at `path` (without checking that the servers run).
    public init(contentsOfFile path: String) throws(LoadError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(.notStarted, "no env file at \(path)")
        }
        try self.init(parsing: String(decoding: data, as: UTF8.self))
    }

    // MARK: - Finding the bench

    /// The env file to read: `$MAILLINK_TESTBED_ENV`, else ``defaultEnvFilePath``.
    public static func envFilePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment[envFileVariable], !path.isEmpty { return path }
        return defaultEnvFilePath
    }

    /// Finds the bench: reads the env file and checks that Dovecot and Postfix still run (by the
    /// PID files under ``directory``, where `/proc` exists), so a stale file reads as absent.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Result<TestbedEnvironment, LoadError> {
        let path = envFilePath(environment: environment)
        let bench: TestbedEnvironment
        do { bench = try TestbedEnvironment(contentsOfFile: path) } catch { return .failure(error) }
        for service in ["dovecot", "postfix"] {
            let pidFile = bench.directory + "/run/\(service).pid"
            guard Self.processIsRunning(pidFile: pidFile) else {
                return .failure(LoadError(.notRunning, "\(service) is not running (\(pidFile)); \(path) is stale"))
            }
        }
        return .success(bench)
    }

    /// The running bench, or nil when it is absent or its servers are not running.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TestbedEnvironment? {
        try? locate(environment: environment).get()
    }

    /// The bench as found once per test process; nil when absent.
    public static let current: TestbedEnvironment? = load()

    /// Whether the bench is up (looked up once per test process).
    public static var isAvailable: Bool { current != nil }

    /// Whether a missing bench must fail interop tests instead of skipping them
    /// (`MAILLINK_REQUIRE_INTEROP=1`, set by `scripts/test` and so by CI).
    public static var interopRequired: Bool {
        isRequired(environment: ProcessInfo.processInfo.environment)
    }

    /// Whether `environment` asks for interop tests to be required (`1`, `true` or `yes`).
    public static func isRequired(environment: [String: String]) -> Bool {
        guard let value = environment[requireInteropVariable]?.lowercased() else { return false }
        return ["1", "true", "yes"].contains(value)
    }

    /// The condition for `.enabled(if:)` on interop suites: run when the bench is up, and also
    /// when it is required (so that the test fails in ``required()`` rather than skipping).
    public static var shouldRunInteropTests: Bool { isAvailable || interopRequired }

    /// The running bench, or an error saying why not and what to run. Call it first in every
    /// interop test: under ``interopRequired`` a missing bench then fails the test.
    public static func required() throws(LoadError) -> TestbedEnvironment {
        if let current { return current }
        return try locate().get()
    }

    // MARK: - Users and mailboxes

    /// The primary user (`alice`), also `MAILLINK_USER`.
    public var primaryUser: User { users[0] }

    /// The user whose key (`bob`) or address (`bob@example.test`) is `name`, if any.
    public func user(_ name: String) -> User? {
        users.first { $0.key == name.lowercased() || $0.address.lowercased() == name.lowercased() }
    }

    /// The user named `name`, or a ``LoadError`` with code `unknownUser`. Give every interop suite
    /// its own user: tests run in parallel and share the bench.
    public func claimUser(_ name: String) throws(LoadError) -> User {
        guard let user = user(name) else { throw LoadError(.unknownUser, name) }
        return user
    }

    /// Drops a message into `user`'s Maildir the way a delivery agent does (write in `tmp/`,
    /// rename into `new/`), readable by Dovecot, and returns its path. The message should use
    /// CRLF or LF line ends; Dovecot serves it with CRLF either way.
    @discardableResult
    public func deliver(_ message: Data, to user: User) throws -> String {
        let name = "\(Int(Date().timeIntervalSince1970)).M\(UUID().uuidString).maillink-testbed"
        let temporary = user.maildir + "/tmp/" + name
        let final = user.maildir + "/new/" + name
        try message.write(to: URL(fileURLWithPath: temporary))
        let manager = FileManager.default
        try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temporary)
        // Only root may give the file to Dovecot's user; 0644 lets Dovecot read it either way.
        try? manager.setAttributes(
            [.ownerAccountID: vmailUID, .groupOwnerAccountID: vmailGID], ofItemAtPath: temporary)
        try manager.moveItem(atPath: temporary, toPath: final)
        return final
    }

    /// Removes every message from `user`'s Maildir (`cur/`, `new/`, `tmp/`), so a test starts
    /// from an empty mailbox. Dovecot notices at the next login.
    public func removeAllMessages(of user: User) throws {
        let manager = FileManager.default
        for folder in ["cur", "new", "tmp"] {
            let path = user.maildir + "/" + folder
            for name in try manager.contentsOfDirectory(atPath: path) {
                try manager.removeItem(atPath: path + "/" + name)
            }
        }
    }

    /// The number of messages in `user`'s Maildir (`cur/` and `new/`).
    public func messageCount(of user: User) throws -> Int {
        let manager = FileManager.default
        return try ["cur", "new"].reduce(0) { count, folder in
            count + (try manager.contentsOfDirectory(atPath: user.maildir + "/" + folder)).count
        }
    }

    /// Waits until this test alone uses `users`' mailboxes among the tests that ask the same way,
    /// in this process or another: a lock file per user in the bench's directory (`flock(2)`),
    /// taken in key order. Suites that share a user (two sync-process suites share ivan) then run
    /// in parallel without seeing each other's mail. Keep the returned lock until the test ends
    /// (`defer { lock.release() }`); the kernel drops it if the process dies. Waiting polls, and
    /// never blocks a thread.
    public func exclusiveUse(of users: [User]) async throws -> UserLock {
        let lock = UserLock()
        for user in Set(users.map(\.key)).sorted() {
            let path = directory + "/run/user-\(user).lock"
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
            guard descriptor >= 0 else { throw LoadError(.invalidValue, "cannot open \(path)") }
            lock.add(descriptor)
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return lock
    }

    /// Mailboxes held by ``exclusiveUse(of:)``, until ``release()`` (or deinit).
    public final class UserLock: Sendable {
        private let descriptors = Mutex<[Int32]>([])

        init() {}

        func add(_ descriptor: Int32) { descriptors.withLock { $0.append(descriptor) } }

        /// Lets the next test use the mailboxes.
        public func release() {
            let held = descriptors.withLock { held in
                defer { held = [] }
                return held
            }
            for descriptor in held { close(descriptor) }
        }

        deinit { release() }
    }

    /// The message files in `user`'s folder `folder` (`cur/` and `new/`, Maildir++ `.Folder`, with
    /// `.` between the levels of a nested one; nil for the Inbox), sorted; none when it does not exist.
    public func messageFiles(of user: User, folder: String?) -> [String] {
        let base: String = folder.map { user.maildir + "/." + $0 } ?? user.maildir
        var files: [String] = []
        for sub in ["cur", "new"] {
            let directory = base + "/" + sub
            let names: [String] = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            files += names.map { directory + "/" + $0 }
        }
        return files.sorted()
    }

    /// Removes `user`'s folder `folder` (Maildir++ `.Folder`) with its messages, so a test starts
    /// without it. Dovecot notices at the next access.
    public func removeFolder(_ folder: String, of user: User) throws {
        let path = user.maildir + "/." + folder
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    // MARK: - Helpers

    private func nonEmpty(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    private func list(_ key: String) -> [String] {
        (values[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func unquoted(_ raw: String) -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    /// Whether the PID in `pidFile` names a live process. Without `/proc` (not Linux) it cannot
    /// tell and answers true, leaving the connection attempt to fail visibly.
    private static func processIsRunning(pidFile: String) -> Bool {
        let manager = FileManager.default
        guard manager.fileExists(atPath: "/proc/self") else { return true }
        guard let data = manager.contents(atPath: pidFile),
            let pid = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            pid > 0,
            let stat = manager.contents(atPath: "/proc/\(pid)/stat")
        else { return false }
        // Field 3 of /proc/PID/stat is the state; Z (zombie) and X (dead) are not running.
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        let state = text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }
}
