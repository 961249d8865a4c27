import Testing

@testable import MailTransport

@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    let parser = HTTPResponseParser(maximumBody: 100)

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("Content-Length bodies complete exactly and ask for more until then")
    func contentLength() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\n\r\n"
        #expect(try parser.parse(bytes(head + "abc"), atEnd: false) == .needMore)
        guard case .complete(let status, let headers, let body) = try parser.parse(bytes(head + "abcde"), atEnd: false)
        else {
            Issue.record("not complete")
            return
        }
        #expect(status == 200 && body == bytes("abcde"))
        #expect(headers.first { $0.0 == "content-type" }?.1 == "text/xml")
        #expect(throws: TransportError.self) { try parser.parse(bytes(head + "abc"), atEnd: true) }
    }

    @Test("chunked bodies decode")
    func chunked() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
        guard case .complete(_, _, let body) = try parser.parse(bytes(text), atEnd: false) else {
            Issue.record("not complete")
            return
        }
        #expect(body == bytes("abcde"))
    }

    @Test("bodies over the cap fail with responseTooLarge, garbage with httpMalformed")
    func limits() {
        func code(_ text: String, atEnd: Bool = true) -> TransportError.Code? {
            do { _ = try parser.parse(bytes(text), atEnd: atEnd) } catch let error as TransportError {
                return error.code
            } catch {}
            return nil
        }
        #expect(code("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", atEnd: false) == .responseTooLarge)
        #expect(code("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 101)) == .responseTooLarge)
        #expect(code("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFF\r\n", atEnd: false) == .responseTooLarge)
        #expect(code("SSH-2.0-OpenSSH\r\n\r\n") == .httpMalformed)
        #expect(code("HTTP/1.1 200 OK\r\nno colon\r\n\r\n") == .httpMalformed)
        #expect(code("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == .httpMalformed)
    }
}
