import MailTesting
import MailTransport
import Testing

@Suite("BufferedReader")
struct BufferedReaderTests {
    private func reader(_ chunks: [String], maximumLineLength: Int = 8192, receiveSize: Int = 65536) -> (BufferedReader, EmbeddedConnection) {
        let embedded = EmbeddedConnection()
        for chunk in chunks { embedded.pushInbound(chunk) }
        embedded.closeInbound()
        return (BufferedReader(connection: embedded.connection, maximumLineLength: maximumLineLength, receiveSize: receiveSize), embedded)
    }

    @Test("reads CRLF lines and bare LF lines without their line ends")
    func lines() async throws {
        let (reader, _) = reader(["+OK hello\r\n-ERR", " no\nlast\r\n"])
        #expect(try await reader.readLine() == Array("+OK hello".utf8))
        #expect(try await reader.readLine() == Array("-ERR no".utf8))
        #expect(try await reader.readLine() == Array("last".utf8))
        await #expect(throws: TransportError.self) { try await reader.readLine() }
    }

    @Test("a line longer than the maximum is an error, not unbounded memory")
    func lineTooLong() async throws {
        let (reader, _) = reader([String(repeating: "x", count: 100) + "\r\n"], maximumLineLength: 50)
        let error = await #expect(throws: TransportError.self) { try await reader.readLine() }
        #expect(error?.code == .lineTooLong)
    }

    @Test("an endless line without a line end stops at the maximum")
    func endlessLine() async throws {
        let (reader, _) = reader(Array(repeating: String(repeating: "y", count: 1000), count: 100), maximumLineLength: 4096, receiveSize: 512)
        let error = await #expect(throws: TransportError.self) { try await reader.readLine() }
        #expect(error?.code == .lineTooLong)
    }

    @Test("a line exactly at the maximum, line end included, is accepted")
    func lineAtMaximum() async throws {
        let (reader, _) = reader([String(repeating: "z", count: 48) + "\r\n"], maximumLineLength: 50)
        #expect(try await reader.readLine().count == 48)
    }

    @Test("a dot-terminated block is unstuffed and keeps its line ends")
    func block() async throws {
        let (reader, _) = reader(["Subject: x\r\n\r\n..leading dot\r\n.\r\n...two\r\nend\r\n.\r\n+OK next\r\n"])
        let block = try await reader.readDotTerminatedBlock(maximumSize: 1000)
        #expect(String(decoding: block, as: UTF8.self) == "Subject: x\r\n\r\n.leading dot\r\n")
        let second = try await reader.readDotTerminatedBlock(maximumSize: 1000)
        #expect(String(decoding: second, as: UTF8.self) == "..two\r\nend\r\n")
        #expect(try await reader.readLine() == Array("+OK next".utf8))
    }

    @Test("an empty block is just the terminator")
    func emptyBlock() async throws {
        let (reader, _) = reader([".\r\n"])
        #expect(try await reader.readDotTerminatedBlock(maximumSize: 10).isEmpty)
    }

    @Test("the terminator and stuffed dots are found when split across every chunk boundary")
    func splitEverywhere() async throws {
        let wire = "a\r\n..b\r\n.c\r\n\r\n..\r\nd.\r\n.\r\n"
        let expected = "a\r\n.b\r\nc\r\n\r\n.\r\nd.\r\n"
        for split in 1..<wire.utf8.count {
            let bytes = Array(wire.utf8)
            let (reader, _) = reader([String(decoding: bytes[..<split], as: UTF8.self), String(decoding: bytes[split...], as: UTF8.self)])
            let block = try await reader.readDotTerminatedBlock(maximumSize: 100)
            #expect(String(decoding: block, as: UTF8.self) == expected, "split at \(split)")
        }
        let (byteByByte, _) = reader(wire.map { String($0) })
        #expect(String(decoding: try await byteByByte.readDotTerminatedBlock(maximumSize: 100), as: UTF8.self) == expected)
    }

    @Test("bare LF terminators are accepted from sloppy servers")
    func bareLF() async throws {
        let (reader, _) = reader(["line\n..x\n.\n"])
        #expect(String(decoding: try await reader.readDotTerminatedBlock(maximumSize: 100), as: UTF8.self) == "line\n.x\n")
    }

    @Test("a block larger than the maximum is an error")
    func blockTooLarge() async throws {
        let (reader, _) = reader([String(repeating: "0123456789\r\n", count: 100) + ".\r\n"])
        let error = await #expect(throws: TransportError.self) { try await reader.readDotTerminatedBlock(maximumSize: 500) }
        #expect(error?.code == .responseTooLarge)
    }

    @Test("a block that never ends stops at the maximum size")
    func endlessBlock() async throws {
        let (reader, _) = reader(Array(repeating: String(repeating: "data line\r\n", count: 100), count: 200), receiveSize: 4096)
        let error = await #expect(throws: TransportError.self) { try await reader.readDotTerminatedBlock(maximumSize: 64 * 1024) }
        #expect(error?.code == .responseTooLarge)
    }

    @Test("a connection closed in the middle of a block is closedByPeer")
    func closedMidBlock() async throws {
        let (reader, _) = reader(["half a message\r\n"])
        let error = await #expect(throws: TransportError.self) { try await reader.readDotTerminatedBlock(maximumSize: 500) }
        #expect(error?.code == .closedByPeer)
    }

    @Test("streaming hands over the same bytes in bounded chunks")
    func streaming() async throws {
        var wire = ""
        var expected = ""
        for index in 0..<5000 {
            let line = index % 7 == 0 ? ".dotted \(index)" : "line \(index) of the body"
            wire += (line.hasPrefix(".") ? "." : "") + line + "\r\n"
            expected += line + "\r\n"
        }
        let (reader, _) = reader([wire + ".\r\n"], receiveSize: 1024)
        var collected: [UInt8] = []
        var largestChunk = 0
        let total = try await reader.readDotTerminatedBlock(maximumSize: 1 << 20) { chunk in
            largestChunk = max(largestChunk, chunk.count)
            collected += chunk
        }
        #expect(total == expected.utf8.count)
        #expect(collected == Array(expected.utf8))
        #expect(largestChunk <= 1024)
    }

    @Test("bytes buffered before a STARTTLS handshake are refused")
    func dataBeforeTLS() async throws {
        let (reader, _) = reader(["+OK begin TLS\r\ninjected\r\n"])
        _ = try await reader.readLine()
        #expect(reader.hasBufferedBytes)
        let error = #expect(throws: TransportError.self) { try reader.requireEmptyBufferBeforeTLS() }
        #expect(error?.code == .dataBeforeTLS)
    }
}
