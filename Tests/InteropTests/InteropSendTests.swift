import Foundation
import MailMessage
import MailTesting
import TestbedSupport
import Testing

extension InteropSMTPSuite {
    /// `linkmail send` (the built executable) against the bench's Postfix: copies over one
    /// connection, `--json`, a wrong password (exit 1 and a diagnosis), usage errors (exit 2).
    @Suite("Interop: linkmail send against Postfix", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
    struct InteropSendTests {
        /// Runs the built `linkmail` (without an inherited `LINKMAIL_PASSWORD`).
        enum Runner {
            static func run(_ arguments: [String]) async throws -> ExecutableRunner.Result {
                try await ExecutableRunner.run("linkmail", arguments, unset: ["LINKMAIL_PASSWORD"])
            }
        }

        /// A password file for alice (or a wrong password), removed by the caller.
        private func passwordFile(_ password: String) throws -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "linkmail-send-\(UUID().uuidString).pw"
            ).path
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        private func connection(
            _ bench: TestbedEnvironment, implicitTLS: Bool = false, passwordFile: String
        ) -> [String] {
            [
                "--server", "\(bench.host):\(implicitTLS ? bench.smtpsPort : bench.submissionPort)",
                "--security", implicitTLS ? "tls" : "starttls", "--ca", bench.caFile,
                "--user", bench.primaryUser.address, "--password-file", passwordFile, "--timeout", "20",
            ]
        }

        /// Postfix's log line `disconnect from … mail=N rcpt=N data=N …` for the submission
        /// session that queued `messageIDs`, found through the cleanup and smtpd lines; nil if
        /// the IDs were queued by more than one smtpd process or the line does not come in time.
        private func sessionSummary(for messageIDs: Set<String>, in bench: TestbedEnvironment) async throws -> String? {
            let logPath = bench.values["MAILLINK_POSTFIX_LOG"] ?? bench.directory + "/log/postfix.log"
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
                var queueIDs = Set<String>()
                for line in lines where line.contains("/cleanup[") {
                    guard let range = line.range(of: ": message-id=") else { continue }
                    if messageIDs.contains(String(line[range.upperBound...])) {
                        queueIDs.insert(String(line[..<range.lowerBound].split(separator: " ").last ?? ""))
                    }
                }
                var pids = Set<String>()
                var lastQueued: Int?
                for (index, line) in lines.enumerated() where line.contains("/smtpd[") && line.contains(": client=") {
                    let fields = line.split(separator: " ")
                    guard fields.contains(where: { $0.hasSuffix(":") && queueIDs.contains(String($0.dropLast())) }),
                        let process = fields.first(where: { $0.contains("/smtpd[") })
                    else { continue }
                    pids.insert(String(process))
                    lastQueued = index
                }
                if queueIDs.count == messageIDs.count, pids.count == 1, let process = pids.first, let lastQueued {
                    if let disconnect = lines[lastQueued...].first(where: {
                        $0.contains(process) && $0.contains("disconnect from")
                    }) {
                        return String(disconnect)
                    }
                } else if pids.count > 1 {
                    return nil
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            return nil
        }

        @Test("--count 5 delivers five distinct messages over one STARTTLS connection")
        func countFive() async throws {
            let bench = try TestbedEnvironment.required()
            let heidi = try bench.claimUser("heidi")
            try bench.removeAllMessages(of: heidi)
            let password = try passwordFile(bench.primaryUser.password)
            defer { try? FileManager.default.removeItem(atPath: password) }
            let result = try await Runner.run(
                ["send"] + connection(bench, passwordFile: password)
                    + [
                        "--from", bench.primaryUser.address, "--to", heidi.address, "--subject", "five copies",
                        "--count", "5",
                    ])
            #expect(result.status == 0, "stderr: \(result.standardError)")
            #expect(result.standardOutput.split(separator: "\n").last == "sent 5 messages")
            #expect(try await InteropSMTPSuite.waitForMessages(5, in: heidi, of: bench) == 5)

            let headers = try InteropSMTPSuite.deliveredMessages(of: heidi).map {
                try MessageHeader(parsing: Array($0))
            }
            #expect(headers.allSatisfy { $0["Subject"] == "five copies" })
            let ids = Set(headers.compactMap { $0["Message-ID"]?.trimmingCharacters(in: .whitespaces) })
            #expect(ids.count == 5, "each copy has its own Message-ID")
            let summary = try await sessionSummary(for: ids, in: bench)
            // Postfix offers CHUNKING, so the copies go as BDAT (RFC 3030).
            #expect(summary?.contains("mail=5 rcpt=5 bdat=5") == true, "Postfix saw one session: \(summary ?? "none")")
            #expect(summary?.contains("auth=1") == true)
        }

        @Test("--json on the implicit-TLS port prints one JSON object with the count and bytes")
        func json() async throws {
            let bench = try TestbedEnvironment.required()
            let heidi = try bench.claimUser("heidi")
            try bench.removeAllMessages(of: heidi)
            let password = try passwordFile(bench.primaryUser.password)
            defer { try? FileManager.default.removeItem(atPath: password) }
            let body = FileManager.default.temporaryDirectory.appendingPathComponent(
                "linkmail-send-\(UUID().uuidString).txt")
            try Data("Привет, Хайди!\n.just a dot line\n".utf8).write(to: body)
            defer { try? FileManager.default.removeItem(at: body) }
            let result = try await Runner.run(
                ["send"] + connection(bench, implicitTLS: true, passwordFile: password)
                    + [
                        "--from", bench.primaryUser.address, "--to", heidi.address, "--subject", "Тема по-русски",
                        "--body-file", body.path, "--json",
                    ])
            #expect(result.status == 0, "stderr: \(result.standardError)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            #expect(object["sent"] as? Int == 1)
            #expect((object["bytes"] as? Int ?? 0) > 100)
            #expect(try await InteropSMTPSuite.waitForMessages(1, in: heidi, of: bench) == 1)
            let delivered = try #require(try InteropSMTPSuite.deliveredMessages(of: heidi).first)
            let parsed = try MIMEPart(parsing: Array(delivered))
            #expect(parsed.header["Subject"] == "Тема по-русски")
            #expect(
                parsed.textBody?.replacingOccurrences(of: "\r\n", with: "\n") == "Привет, Хайди!\n.just a dot line\n")
        }

        @Test("a wrong password exits 1 with the diagnosis and Postfix's 535 5.7.8 on stderr, never the password")
        func wrongPassword() async throws {
            let bench = try TestbedEnvironment.required()
            let heidi = try bench.claimUser("heidi")
            let wrong = "surely-not-alices-password"
            let password = try passwordFile(wrong)
            defer { try? FileManager.default.removeItem(atPath: password) }
            let arguments =
                ["send"] + connection(bench, passwordFile: password) + [
                    "--from", bench.primaryUser.address, "--to", heidi.address,
                ]
            let result = try await Runner.run(arguments)
            #expect(result.status == 1)
            #expect(!result.standardOutput.contains("sent"))
            #expect(result.standardError.contains("authentication failed"))
            #expect(result.standardError.contains("535"))
            #expect(result.standardError.contains("5.7.8"))
            #expect(result.standardError.contains("what to try"))
            #expect(!(result.standardOutput + result.standardError).contains(wrong))

            let json = try await Runner.run(arguments + ["--json"])
            #expect(json.status == 1)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            let error = try #require(object["error"] as? [String: Any])
            #expect(error["stage"] as? String == "authentication")
            #expect((error["serverText"] as? String)?.hasPrefix("535") == true)
        }

        @Test("without --ca the bench certificate is untrusted: exit 1 with a TLS diagnosis")
        func untrusted() async throws {
            let bench = try TestbedEnvironment.required()
            let password = try passwordFile(bench.primaryUser.password)
            defer { try? FileManager.default.removeItem(atPath: password) }
            let result = try await Runner.run([
                "send", "--server", "\(bench.host):\(bench.submissionPort)", "--security", "starttls",
                "--user", bench.primaryUser.address, "--password-file", password,
                "--from", bench.primaryUser.address, "--to", "heidi@example.test",
            ])
            #expect(result.status == 1)
            #expect(result.standardError.contains("TLS failed"), "stderr: \(result.standardError)")
            #expect(result.standardError.contains("an authority this system does not trust"), "stderr: \(result.standardError)")
        }

        @Test(
            "usage errors exit 2 without contacting the server",
            arguments: [
                ["--to", "heidi@example.test"],
                ["--from", "alice@example.test"],
                ["--from", "alice@example.test", "--to", "heidi@example.test", "--count", "0"],
                ["--from", "alice@example.test", "--to", "heidi@example.test", "--count", "many"],
                ["--from", "not an address", "--to", "heidi@example.test"],
                ["--from", "alice@example.test", "--to", "heidi@example.test", "--body-file", "/nonexistent/body.txt"],
                ["--from", "alice@example.test", "--to", "heidi@example.test", "stray"],
            ])
        func usage(extra: [String]) async throws {
            let bench = try TestbedEnvironment.required()
            let password = try passwordFile(bench.primaryUser.password)
            defer { try? FileManager.default.removeItem(atPath: password) }
            let result = try await Runner.run(["send"] + connection(bench, passwordFile: password) + extra)
            #expect(result.status == 2, "stderr: \(result.standardError)")
            #expect(!result.standardError.isEmpty)
            #expect(result.standardOutput.isEmpty)
        }

        @Test(
            "bad connection flags are usage errors too (exit 2)",
            arguments: [
                ["--server", "127.0.0.1", "--security", "starttls"],
                ["--server", "127.0.0.1:21587", "--security", "sometimes"],
                ["--server", "127.0.0.1:21587", "--security", "starttls", "--user", "alice@example.test"],
            ])
        func usageConnection(flags: [String]) async throws {
            _ = try TestbedEnvironment.required()
            let result = try await Runner.run(
                ["send"] + flags + ["--from", "alice@example.test", "--to", "heidi@example.test"])
            #expect(result.status == 2, "stderr: \(result.standardError)")
        }
    }
}
