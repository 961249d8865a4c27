import Testing

@testable import POP3Protocol

@Suite("POP3Command encoding")
struct POP3CommandTests {
    private func text(_ command: POP3Command) throws -> String {
        String(decoding: try command.encoded(), as: UTF8.self)
    }

    @Test("every command encodes as RFC 1939 spells it, CRLF-terminated")
    func encodings() throws {
        #expect(try text(.user("alice")) == "USER alice\r\n")
        #expect(try text(.pass("s3cret word")) == "PASS s3cret word\r\n")
        #expect(try text(.apop(name: "mrose", digest: "c4c9334bac560ecc979e58001b3e22fb"))
            == "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n")
        #expect(try text(.auth(mechanism: "PLAIN", initialResponse: nil)) == "AUTH PLAIN\r\n")
        #expect(try text(.auth(mechanism: "PLAIN", initialResponse: "AGEAYg==")) == "AUTH PLAIN AGEAYg==\r\n")
        #expect(try text(.auth(mechanism: "EXTERNAL", initialResponse: "")) == "AUTH EXTERNAL =\r\n")
        #expect(try text(.saslResponse("dGVzdA==")) == "dGVzdA==\r\n")
        #expect(try text(.capa) == "CAPA\r\n")
        #expect(try text(.stls) == "STLS\r\n")
        #expect(try text(.stat) == "STAT\r\n")
        #expect(try text(.list(nil)) == "LIST\r\n")
        #expect(try text(.list(7)) == "LIST 7\r\n")
        #expect(try text(.uidl(nil)) == "UIDL\r\n")
        #expect(try text(.uidl(2)) == "UIDL 2\r\n")
        #expect(try text(.retr(1)) == "RETR 1\r\n")
        #expect(try text(.top(3, lines: 0)) == "TOP 3 0\r\n")
        #expect(try text(.dele(4)) == "DELE 4\r\n")
        #expect(try text(.rset) == "RSET\r\n")
        #expect(try text(.noop) == "NOOP\r\n")
        #expect(try text(.quit) == "QUIT\r\n")
    }

    @Test("CR, LF or NUL in any argument is refused (no command injection)", arguments: [
        POP3Command.user("alice\r\nDELE 1"), .pass("x\ny"), .pass("x\0y"), .apop(name: "a", digest: "b\rc"),
        .auth(mechanism: "PLAIN", initialResponse: "AA\r\nQUIT"), .saslResponse("abc\r\nDELE 1"),
    ])
    func injection(command: POP3Command) {
        #expect(throws: POP3Error.self) { try command.encoded() }
        do { _ = try command.encoded() } catch { #expect(error.code == .invalidArgument) }
    }

    @Test("message numbers below 1, negative TOP counts, empty and spaced APOP names are refused", arguments: [
        POP3Command.retr(0), .dele(-1), .list(0), .uidl(0), .top(1, lines: -1), .top(0, lines: 0),
        .user(""), .apop(name: "two words", digest: "d"), .auth(mechanism: "", initialResponse: nil),
    ])
    func invalidArguments(command: POP3Command) {
        #expect(throws: POP3Error.self) { try command.encoded() }
    }

    @Test("secrets never appear in a command's description")
    func redaction() {
        #expect(POP3Command.pass("hunter2").description == "PASS <redacted>")
        #expect(!POP3Command.apop(name: "bob", digest: "abcdef").description.contains("abcdef"))
        #expect(!POP3Command.auth(mechanism: "PLAIN", initialResponse: "c2VjcmV0").description.contains("c2VjcmV0"))
        #expect(!POP3Command.saslResponse("c2VjcmV0").description.contains("c2VjcmV0"))
        #expect(POP3Command.retr(5).description == "RETR 5")
    }

    @Test("multi-line answers are expected exactly for CAPA, LIST, UIDL without argument, RETR and TOP")
    func multiLine() {
        #expect(POP3Command.capa.hasMultiLineResponse)
        #expect(POP3Command.list(nil).hasMultiLineResponse)
        #expect(!POP3Command.list(1).hasMultiLineResponse)
        #expect(POP3Command.uidl(nil).hasMultiLineResponse)
        #expect(!POP3Command.uidl(1).hasMultiLineResponse)
        #expect(POP3Command.retr(1).hasMultiLineResponse)
        #expect(POP3Command.top(1, lines: 0).hasMultiLineResponse)
        #expect(!POP3Command.stat.hasMultiLineResponse)
        #expect(!POP3Command.dele(1).hasMultiLineResponse)
    }
}
