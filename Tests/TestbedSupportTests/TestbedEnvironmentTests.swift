import Foundation
import TestbedSupport
import Testing

@Suite("TestbedEnvironment")
struct TestbedEnvironmentTests {
    /// An env file as `scripts/testbed start` writes it, rooted at `directory`.
    static func envText(directory: String = "/tmp/bench", extra: String = "") -> String {
        """
        # MailLink test bench, written by scripts/testbed start
        MAILLINK_TESTBED=1
        MAILLINK_TESTBED_DIR=\(directory)
        MAILLINK_HOST=127.0.0.1
        MAILLINK_HOST_IPV6=::1
        MAILLINK_TLS_NAMES=localhost,mail.example.test,127.0.0.1,::1
        MAILLINK_POP3_PORT=21110
        MAILLINK_POP3S_PORT=21995
        MAILLINK_IMAP_PORT=21143
        MAILLINK_IMAPS_PORT=21993
        MAILLINK_POP3_STRICT_HOST=127.0.0.5
        MAILLINK_SUBMISSION_PORT=21587
        MAILLINK_SMTPS_PORT=21465
        MAILLINK_MESSAGE_SIZE_LIMIT=52428800
        MAILLINK_DNS_HOST=127.0.0.1
        MAILLINK_DNS_PORT=21053
        MAILLINK_HTTP_BASE=http://127.0.0.1:21080
        MAILLINK_HTTPS_BASE=https://localhost:21443
        MAILLINK_CA_FILE=\(directory)/tls/ca.crt
        MAILLINK_SERVER_CERT_SHA256=803f3d1405b4f6f18ded8c31550a9f516c069633e04210ed0dbd713e69fe7890
        MAILLINK_WRONGHOST_HOST=127.0.0.2
        MAILLINK_WRONGHOST_PORT=21996
        MAILLINK_WRONGHOST_NAME=wrong-host.invalid
        MAILLINK_EXPIRED_HOST=127.0.0.3
        MAILLINK_EXPIRED_PORT=21997
        MAILLINK_SELFSIGNED_HOST=127.0.0.4
        MAILLINK_SELFSIGNED_PORT=21998
        MAILLINK_SELFSIGNED_SHA256=8f95e76dbdca93b0779177ef78312e36efca71eaaf3d8c080db953e484d52746
        MAILLINK_REFUSED_HOST=127.0.0.1
        MAILLINK_REFUSED_PORT=21999
        MAILLINK_BLACKHOLE_HOST=127.0.0.1
        MAILLINK_BLACKHOLE_PORT=21901
        MAILLINK_DOMAIN=example.test
        MAILLINK_DOMAINS=example.test,example.org
        MAILLINK_VMAIL_UID=995
        MAILLINK_VMAIL_GID=994
        MAILLINK_USERS=alice,bob
        MAILLINK_USER_ALICE_ADDRESS=alice@example.test
        MAILLINK_USER_ALICE_PASSWORD=alice-password
        MAILLINK_USER_ALICE_MAILDIR=\(directory)/mail/example.test/alice/Maildir
        MAILLINK_USER_BOB_ADDRESS=bob@example.test
        MAILLINK_USER_BOB_PASSWORD=bob-password
        MAILLINK_USER_BOB_MAILDIR=\(directory)/mail/example.test/bob/Maildir
        \(extra)
        """
    }

    /// A scratch bench directory: env file, PID files and two Maildirs; removed by the caller.
    static func makeBench(dovecotPID: Int32, postfixPID: Int32) throws -> (directory: String, env: String) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("testbed-env-\(UUID().uuidString)").path
        let manager = FileManager.default
        for user in ["alice", "bob"] {
            for folder in ["cur", "new", "tmp"] {
                try manager.createDirectory(
                    atPath: "\(directory)/mail/example.test/\(user)/Maildir/\(folder)",
                    withIntermediateDirectories: true)
            }
        }
        try manager.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        try Data("\(dovecotPID)\n".utf8).write(to: URL(fileURLWithPath: directory + "/run/dovecot.pid"))
        try Data("\(postfixPID)\n".utf8).write(to: URL(fileURLWithPath: directory + "/run/postfix.pid"))
        let env = directory + "/env"
        try Data(envText(directory: directory).utf8).write(to: URL(fileURLWithPath: env))
        return (directory, env)
    }

    @Test("reads ports, endpoints, URLs, certificates and users into typed values")
    func parsesEverything() throws {
        let bench = try TestbedEnvironment(parsing: Self.envText())
        #expect(bench.host == "127.0.0.1")
        #expect(bench.hostIPv6 == "::1")
        #expect(bench.pop3Port == 21110)
        #expect(bench.pop3sPort == 21995)
        #expect(bench.imapPort == 21143)
        #expect(bench.imapsPort == 21993)
        #expect(bench.pop3StrictHost == "127.0.0.5")
        #expect(bench.submissionPort == 21587)
        #expect(bench.smtpsPort == 21465)
        #expect(bench.messageSizeLimit == 52_428_800)
        #expect(bench.dns == .init(host: "127.0.0.1", port: 21053))
        #expect(bench.httpBaseURL == URL(string: "http://127.0.0.1:21080"))
        #expect(bench.httpsBaseURL.port == 21443)
        #expect(bench.caFile == "/tmp/bench/tls/ca.crt")
        #expect(bench.serverCertificateSHA256.count == 64)
        #expect(bench.wrongHost == .init(host: "127.0.0.2", port: 21996))
        #expect(bench.wrongHostName == "wrong-host.invalid")
        #expect(bench.expired == .init(host: "127.0.0.3", port: 21997))
        #expect(bench.selfSigned == .init(host: "127.0.0.4", port: 21998))
        #expect(bench.refused.port == 21999)
        #expect(bench.blackhole == .init(host: "127.0.0.1", port: 21901))
        #expect(bench.domain == "example.test")
        #expect(bench.domains == ["example.test", "example.org"])
        #expect(bench.tlsNames.contains("mail.example.test"))
        #expect(bench.vmailUID == 995)
        #expect(bench.vmailGID == 994)
        #expect(bench.directory == "/tmp/bench")
        #expect(bench.users.map(\.address) == ["alice@example.test", "bob@example.test"])
        #expect(bench.primaryUser.password == "alice-password")
        #expect(bench.users[1].maildir == "/tmp/bench/mail/example.test/bob/Maildir")
    }

    @Test("skips comments and blank lines, strips quotes, keeps unknown keys, ignores foreign keys")
    func lenientSyntax() throws {
        let text = Self.envText(extra: "\n  # a comment\nMAILLINK_FUTURE_KEY='quoted value'\nPATH=/bin\n")
            .replacingOccurrences(of: "MAILLINK_HOST=127.0.0.1", with: "MAILLINK_HOST=\"127.0.0.1\"")
        let bench = try TestbedEnvironment(parsing: text)
        #expect(bench.host == "127.0.0.1")
        #expect(bench.values["MAILLINK_FUTURE_KEY"] == "quoted value")
        #expect(bench.values["PATH"] == nil)
    }

    @Test("an empty IPv6 address and missing IMAP ports read as nil")
    func optionalValues() throws {
        let text = Self.envText()
            .replacingOccurrences(of: "MAILLINK_HOST_IPV6=::1", with: "MAILLINK_HOST_IPV6=")
            .replacingOccurrences(of: "MAILLINK_IMAP_PORT=21143\n", with: "")
        let bench = try TestbedEnvironment(parsing: text)
        #expect(bench.hostIPv6 == nil)
        #expect(bench.imapPort == nil)
    }

    @Test("a missing key is an error that names the key")
    func missingKey() {
        let text = Self.envText().replacingOccurrences(of: "MAILLINK_SMTPS_PORT=21465\n", with: "")
        #expect(throws: TestbedEnvironment.LoadError(.missingKey, "MAILLINK_SMTPS_PORT")) {
            try TestbedEnvironment(parsing: text)
        }
        let noUser = Self.envText().replacingOccurrences(of: "MAILLINK_USER_BOB_PASSWORD=bob-password\n", with: "")
        #expect(throws: TestbedEnvironment.LoadError(.missingKey, "MAILLINK_USER_BOB_PASSWORD")) {
            try TestbedEnvironment(parsing: noUser)
        }
    }

    @Test("a port that is not a number between 1 and 65535 is an invalid value")
    func invalidPort() {
        for bad in ["pop3", "0", "70000", "-1"] {
            let text = Self.envText().replacingOccurrences(
                of: "MAILLINK_POP3_PORT=21110", with: "MAILLINK_POP3_PORT=\(bad)")
            #expect {
                try TestbedEnvironment(parsing: text)
            } throws: { error in
                (error as? TestbedEnvironment.LoadError)?.code == .invalidValue
            }
        }
    }

    @Test("the env file path comes from MAILLINK_TESTBED_ENV, else the default")
    func envFilePath() {
        #expect(TestbedEnvironment.envFilePath(environment: [:]) == "/tmp/maillink-testbed/env")
        #expect(
            TestbedEnvironment.envFilePath(environment: ["MAILLINK_TESTBED_ENV": ""]) == "/tmp/maillink-testbed/env")
        #expect(TestbedEnvironment.envFilePath(environment: ["MAILLINK_TESTBED_ENV": "/x/env"]) == "/x/env")
    }

    @Test("locate finds a bench whose Dovecot and Postfix PIDs are alive")
    func locateRunning() throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        let (directory, env) = try Self.makeBench(dovecotPID: pid, postfixPID: pid)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bench = try TestbedEnvironment.locate(environment: ["MAILLINK_TESTBED_ENV": env]).get()
        #expect(bench.directory == directory)
        #expect(TestbedEnvironment.load(environment: ["MAILLINK_TESTBED_ENV": env]) == bench)
    }

    @Test("a stale env file (servers gone) reads as not running, and load gives nil")
    func locateStale() throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        // PID 0x3FFFFFFF is above Linux's pid_max limit (4194304), so no process has it.
        let (directory, env) = try Self.makeBench(dovecotPID: pid, postfixPID: 0x3FFF_FFFF)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["MAILLINK_TESTBED_ENV": env]
        guard FileManager.default.fileExists(atPath: "/proc/self") else { return }
        #expect(throws: TestbedEnvironment.LoadError.self) {
            try TestbedEnvironment.locate(environment: environment).get()
        }
        if case .failure(let error) = TestbedEnvironment.locate(environment: environment) {
            #expect(error.code == .notRunning)
            #expect(error.detail.contains("postfix"))
        }
        #expect(TestbedEnvironment.load(environment: environment) == nil)
    }

    @Test("no env file reads as not started, with the command to run in the description")
    func locateAbsent() {
        let environment = ["MAILLINK_TESTBED_ENV": "/nonexistent/maillink/env"]
        guard case .failure(let error) = TestbedEnvironment.locate(environment: environment) else {
            Issue.record("an absent env file was found")
            return
        }
        #expect(error.code == .notStarted)
        #expect(error.description.contains("scripts/testbed start"))
        #expect(TestbedEnvironment.load(environment: environment) == nil)
    }

    @Test("MAILLINK_REQUIRE_INTEROP=1, true or yes makes interop required; anything else does not")
    func requiredFlag() {
        for value in ["1", "true", "YES"] {
            #expect(TestbedEnvironment.isRequired(environment: ["MAILLINK_REQUIRE_INTEROP": value]))
        }
        for value in ["0", "", "no"] {
            #expect(!TestbedEnvironment.isRequired(environment: ["MAILLINK_REQUIRE_INTEROP": value]))
        }
        #expect(!TestbedEnvironment.isRequired(environment: [:]))
    }

    @Test("users are found by key or address; their description hides the password")
    func users() throws {
        let bench = try TestbedEnvironment(parsing: Self.envText())
        #expect(bench.user("bob")?.address == "bob@example.test")
        #expect(bench.user("BOB@example.test")?.key == "bob")
        #expect(bench.user("mallory") == nil)
        #expect(throws: TestbedEnvironment.LoadError(.unknownUser, "mallory")) { try bench.claimUser("mallory") }
        let alice = try bench.claimUser("alice")
        #expect(!alice.description.contains("alice-password"))
        #expect(!String(describing: bench.users).contains("-password"))
    }

    @Test("deliver puts a readable message into new/; removeAllMessages empties the Maildir")
    func maildirHelpers() throws {
        let pid = ProcessInfo.processInfo.processIdentifier
        let (directory, env) = try Self.makeBench(dovecotPID: pid, postfixPID: pid)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bench = try TestbedEnvironment(contentsOfFile: env)
        let bob = try bench.claimUser("bob")
        let message = Data("Subject: hello\r\n\r\nbody\r\n".utf8)
        let path = try bench.deliver(message, to: bob)
        #expect(path.hasPrefix(bob.maildir + "/new/"))
        #expect(FileManager.default.contents(atPath: path) == message)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: bob.maildir + "/tmp").isEmpty)
        try bench.deliver(message, to: bob)
        #expect(try bench.messageCount(of: bob) == 2)
        #expect(try bench.messageCount(of: bench.primaryUser) == 0)
        try bench.removeAllMessages(of: bob)
        #expect(try bench.messageCount(of: bob) == 0)
    }

    /// Reads the env file the real `scripts/testbed start` wrote. Under `scripts/test` the bench
    /// is required, so this runs (and fails when the bench is missing) instead of skipping.
    @Suite(
        "TestbedEnvironment with the running bench",
        .enabled(if: TestbedEnvironment.shouldRunInteropTests, "needs scripts/testbed start"))
    struct RunningBench {
        @Test("the env file scripts/testbed wrote parses, and the files it names exist")
        func realEnvFile() throws {
            let bench = try TestbedEnvironment.required()
            let manager = FileManager.default
            let ca = try #require(manager.contents(atPath: bench.caFile))
            #expect(String(decoding: ca, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
            #expect(bench.users.count >= 3)
            for user in bench.users {
                var isDirectory: ObjCBool = false
                #expect(manager.fileExists(atPath: user.maildir + "/new", isDirectory: &isDirectory))
                #expect(isDirectory.boolValue, "\(user.address) has no Maildir")
            }
            #expect(bench.serverCertificateSHA256.count == 64)
            #expect(bench.serverCertificateSHA256 == bench.serverCertificateSHA256.lowercased())
        }
    }
}
