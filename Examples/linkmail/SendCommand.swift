import AccountLinking
import MailAuth
import MailMessage
import MailTransport
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail send <connection> --from ADDR --to ADDR[,ADDR…] [--subject TEXT] [--body-file FILE]
/// [--attach FILE]… [--count N] [--json]`: builds a message and submits it (N copies over one
/// connection with `--count`).
enum SendCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ConnectionOptions.valueOptions.union(["from", "to", "subject", "body-file", "attach", "count"]),
            flagOptions: ConnectionOptions.flagOptions.union(["json"]))
        _ = try arguments.requirePositionals([])
        let connection = try ConnectionOptions(arguments)
        guard let fromText = arguments.value("from") else { throw CommandLineArguments.UsageError("--from ADDR is required") }
        let recipients = arguments.values("to").flatMap { $0.split(separator: ",").map(String.init) }
        guard !recipients.isEmpty else { throw CommandLineArguments.UsageError("--to ADDR[,ADDR…] is required") }
        let count = try arguments.integer("count", in: 1...1_000_000) ?? 1
        let json = arguments.flag("json")

        var message: OutgoingMessage
        do {
            message = OutgoingMessage(from: try Mailbox(fromText))
            message.to = try recipients.map { try Mailbox($0) }
        } catch {
            throw CommandLineArguments.UsageError("invalid address: \(error)")
        }
        message.subject = arguments.value("subject") ?? ""
        if let bodyFile = arguments.value("body-file") {
            guard let body = try? String(contentsOfFile: bodyFile, encoding: .utf8) else {
                throw CommandLineArguments.UsageError("cannot read --body-file \(bodyFile)")
            }
            message.textBody = body
        }
        for path in arguments.values("attach") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandLineArguments.UsageError("cannot read --attach \(path)")
            }
            message.attachments.append(Attachment(
                filename: URL(fileURLWithPath: path).lastPathComponent, contentType: ContentType(type: "application", subtype: "octet-stream"),
                data: Array(data)))
        }
        // A subject or file name with CR/LF (header injection) is refused here, before connecting.
        do {
            _ = try message.encoded()
        } catch {
            throw CommandLineArguments.UsageError("the message cannot be built: \(error)")
        }
        if connection.user != nil, connection.secret == nil {
            throw CommandLineArguments.UsageError(ConnectionOptions.secretRequired + " (with --user)")
        }

        do {
            let envelope = try SMTPEnvelope(from: message.from.address.description, to: message.recipients.map(\.description))
            let opener = SessionOpener(
                tlsPolicy: connection.tlsPolicy, timeouts: connection.timeouts,
                allowsInsecureAuthentication: connection.allowsInsecurePlaintext)
            let client = try await opener.openSMTP(
                ServerSettings(
                    host: connection.endpoint.host, port: connection.endpoint.port,
                    security: connection.endpoint.security, user: connection.user ?? ""),
                secret: connection.user == nil ? nil : connection.secret)
            var sent = 0
            var bytes = 0
            var refused: [String: String] = [:]
            do {
                // One burst per slice of copies (pipelined across transactions, RFC 2920), so
                // memory stays bounded by the slice whatever --count says; the next slice is
                // built on another thread while this one is on the wire.
                var remaining = count
                func nextSlice(_ size: Int) -> Task<[SMTPSubmission], any Error> {
                    remaining -= size
                    return Task.detached { [message] in
                        var copy = message
                        return try (0..<size).map { _ in
                            copy.messageID = nil
                            return SMTPSubmission(envelope: envelope, message: try copy.encoded())
                        }
                    }
                }
                // Slices double up to 256, so the first burst starts soon and each slice is
                // built before the one on the wire is done.
                var building: Task<[SMTPSubmission], any Error>? = nextSlice(min(remaining, 16))
                while let slice = building {
                    let batch = try await slice.value
                    building = remaining > 0 ? nextSlice(min(remaining, 256, 2 * batch.count)) : nil
                    for (submission, outcome) in zip(batch, try await client.send(batch)) {
                        let result = try outcome.get()
                        for outcome in result.recipients where !outcome.isAccepted {
                            refused[outcome.recipient.description] = "\(outcome.reply.code) \(outcome.reply.text)"
                        }
                        sent += 1
                        bytes += submission.message.count
                    }
                }
                try? await client.quit()
            } catch {
                await client.close()
                throw error
            }
            // Some recipients accepted and some refused: the message went out, but the person
            // must know who did not get it (exit 1).
            if json {
                Output.json(["sent": sent, "bytes": bytes, "refused": refused])
            } else {
                for (recipient, reply) in refused.sorted(by: { $0.key < $1.key }) {
                    printError("refused \(recipient): \(reply)")
                }
                print("sent \(sent) messages")
            }
            return refused.isEmpty ? .success : .failure
        } catch {
            Output.failure(LinkDiagnosis(error), json: json)
            return .failure
        }
    }
}
