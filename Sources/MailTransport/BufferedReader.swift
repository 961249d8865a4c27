#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads CRLF lines and dot-terminated multi-line blocks from a ``MailConnection``, with bounds.
///
/// POP3 (RFC 1939 §3) and SMTP replies are lines; POP3's multi-line responses end with a line
/// holding a single dot, and every line that begins with a dot has one more dot in front
/// ("byte-stuffing"), which this reader removes. Everything works on bytes: mail is not always
/// valid UTF-8. Every read is bounded: a line longer than ``maximumLineLength`` or a block
/// larger than the given maximum is a ``TransportError`` (`.lineTooLong`, `.responseTooLarge`),
/// never unbounded memory.
///
/// The reader belongs to one protocol client (an actor); its methods run on the caller's
/// executor, so it needs no locking.
public final class BufferedReader {
    /// The connection read from.
    public let connection: any MailConnection
    /// The longest line accepted by ``readLine()``, terminator included.
    /// RFC 1939 allows 512 octets per response line; RFC 5321 §4.5.3.1.5 512 per reply line.
    /// The default leaves room for servers that send longer text.
    public var maximumLineLength: Int
    /// How many bytes to ask the connection for at a time.
    public var receiveSize: Int

    private var buffer: [UInt8] = []
    private var start = 0
    /// The exchange under way, when a client started one: how long it has waited for the
    /// server, what it has received.
    private var exchange: (waited: Duration, received: Int, timeouts: Timeouts)?

    /// A reader over `connection`.
    public init(connection: any MailConnection, maximumLineLength: Int = 8192, receiveSize: Int = 65536) {
        self.connection = connection
        self.maximumLineLength = maximumLineLength
        self.receiveSize = receiveSize
    }

    /// Whether bytes have arrived that no read has consumed yet. Before a STARTTLS handshake
    /// this must be false: bytes sent before the handshake could have been injected by an
    /// attacker (the CVE-2011-0411 family) and must not be read as if protected by TLS.
    public var hasBufferedBytes: Bool { start < buffer.count }

    /// Throws ``TransportError/Code/dataBeforeTLS`` when bytes are buffered; call it right before
    /// ``MailConnection/startTLS(serverName:policy:)``.
    public func requireEmptyBufferBeforeTLS() throws {
        if hasBufferedBytes {
            throw TransportError(.dataBeforeTLS, "\(buffer.count - start) bytes arrived before the TLS handshake")
        }
    }

    /// Starts the overall deadline of one exchange (a greeting, a reply, a whole multi-line
    /// response), from now. Until the next call (or ``endExchange()``), a read that would wait
    /// for more bytes once the exchange has spent at least
    /// ``Timeouts/exchangeLimit(received:)`` waiting for the server since its first bytes
    /// arrived, for what it has received, fails with ``TransportError/Code/timedOut``. The wait
    /// for the first bytes is bounded by the read timeout, and a wait already under way still
    /// ends by it, so the server can keep an exchange waiting at most its limit plus two read
    /// timeouts.
    ///
    /// Only time spent waiting for the server's bytes counts: the caller's own pauses (a slow
    /// sink, a busy machine that resumes the task late) are not the server's doing, and bytes
    /// that arrived meanwhile are read without waiting.
    ///
    /// Protocol clients call this before reading each answer; without it, reads are bounded
    /// by the connection's read timeout only.
    public func beginExchange(within timeouts: Timeouts) {
        exchange = (.zero, 0, timeouts)
    }

    /// Ends the current exchange's deadline (see ``beginExchange(within:)``).
    public func endExchange() {
        exchange = nil
    }

    /// Reads one line and returns it without its line end (CRLF, or a bare LF from a sloppy server).
    nonisolated(nonsending) public func readLine() async throws -> [UInt8] {
        var searchFrom = start
        while true {
            let newline = buffer.withUnsafeBufferPointer { pointer -> Int? in
                Self.find(UInt8(ascii: "\n"), in: pointer, from: searchFrom, to: pointer.count)
            }
            if let newline {
                guard newline + 1 - start <= maximumLineLength else {
                    throw TransportError(
                        .lineTooLong, "a line of \(newline + 1 - start) bytes exceeds \(maximumLineLength)")
                }
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                return line
            }
            if buffer.count - start >= maximumLineLength {
                throw TransportError(.lineTooLong, "no line end within \(maximumLineLength) bytes")
            }
            searchFrom = buffer.count
            let consumed = start
            try await fill()
            searchFrom -= consumed - start
        }
    }

    /// Reads a dot-terminated block into memory and returns its content, unstuffed, with the
    /// line ends as sent, without the terminating `.` line.
    ///
    /// - Parameters:
    ///   - maximumSize: the most content bytes accepted.
    ///   - expectedSize: a hint (for example POP3's LIST size) to allocate once.
    nonisolated(nonsending) public func readDotTerminatedBlock(
        maximumSize: Int, expectedSize: Int = 0
    ) async throws
        -> [UInt8]
    {
        var content: [UInt8] = []
        content.reserveCapacity(min(max(expectedSize, 0), maximumSize) + 64)
        Self.adviseHugePages(&content)
        var decoder = DotBlockDecoder()
        while true {
            let finished = try decodeBuffered(&decoder) { chunk in
                guard content.count + chunk.count <= maximumSize else {
                    throw TransportError(.responseTooLarge, "a multi-line response exceeds \(maximumSize) bytes")
                }
                content.append(contentsOf: chunk)
            }
            if finished { return content }
            try await fill()
        }
    }

    /// Reads a dot-terminated block and hands its unstuffed content to `sink` in chunks of at most
    /// about `receiveSize` bytes, so that a large message needs bounded memory. Returns the
    /// number of content bytes.
    nonisolated(nonsending) public func readDotTerminatedBlock(
        maximumSize: Int,
        into sink: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        var total = 0
        var decoder = DotBlockDecoder()
        var pending: [UInt8] = []
        while true {
            pending.removeAll(keepingCapacity: true)
            let finished = try decodeBuffered(&decoder) { chunk in
                guard total + chunk.count <= maximumSize else {
                    throw TransportError(.responseTooLarge, "a multi-line response exceeds \(maximumSize) bytes")
                }
                total += chunk.count
                pending.append(contentsOf: chunk)
            }
            if !pending.isEmpty {
                try await sink(pending)
            }
            if finished { return total }
            try await fill()
        }
    }

    /// Reads exactly `count` bytes (for length-prefixed data such as SMTP BDAT tests).
    nonisolated(nonsending) public func readBytes(_ count: Int) async throws -> [UInt8] {
        while buffer.count - start < count { try await fill() }
        defer { start += count }
        return Array(buffer[start..<start + count])
    }

    /// Decodes what is buffered; returns true once the terminator was consumed.
    private func decodeBuffered(
        _ decoder: inout DotBlockDecoder,
        _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Bool {
        let (consumed, finished) = try buffer.withUnsafeBufferPointer { pointer in
            try decoder.decode(UnsafeBufferPointer(rebasing: pointer[start...]), emit: emit)
        }
        start += consumed
        return finished
    }

    /// Receives more bytes, compacting the buffer first.
    nonisolated(nonsending) private func fill() async throws {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 65536 || start > buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        guard let exchange else {
            guard let received = try await connection.receive(maximumCount: receiveSize) else {
                throw TransportError(.closedByPeer, "the server closed the connection")
            }
            buffer.append(contentsOf: received)
            return
        }
        let limit = exchange.timeouts.exchangeLimit(received: exchange.received)
        if exchange.waited >= limit {
            throw TransportError(
                .timedOut,
                "the server kept us waiting \(Self.seconds(exchange.waited)) for \(exchange.received) bytes, the most allowed is \(Self.seconds(limit)) (the read timeout plus \(exchange.timeouts.minimumTransferRate) bytes per second)"
            )
        }
        let before = ContinuousClock.now
        let received = try await connection.receive(maximumCount: receiveSize)
        // The wait for the first bytes is the read timeout's to bound; the bound counts from there.
        if exchange.received > 0 { self.exchange?.waited += ContinuousClock.now - before }
        guard let received else { throw TransportError(.closedByPeer, "the server closed the connection") }
        self.exchange?.received += received.count
        buffer.append(contentsOf: received)
    }

    /// `12.3 s`.
    private static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return "\(whole).\(attoseconds / 100_000_000_000_000_000) s"
    }

    /// For a large expected message, asks the kernel for huge pages behind the reserved storage
    /// (Linux `MADV_HUGEPAGE`): filling 100 MB of fresh memory otherwise costs one page fault per
    /// 4 KiB, which dominated reading large messages into memory. Only advice; harmless if ignored.
    private static func adviseHugePages(_ content: inout [UInt8]) {
        #if os(Linux)
            let hugePage = 2 << 20
            guard content.capacity >= 4 * hugePage else { return }
            let capacity = content.capacity
            // An empty array's buffer pointer still starts at its reserved storage.
            var base: UnsafeMutableRawPointer?
            content.withUnsafeMutableBufferPointer { base = UnsafeMutableRawPointer($0.baseAddress) }
            guard let base else { return }
            let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
            let end = (Int(bitPattern: base) + capacity) & ~(hugePage - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    @inline(__always)
    static func find(_ byte: UInt8, in pointer: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = pointer.baseAddress else { return nil }
        guard let found = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}

/// The incremental dot-unstuffing decoder behind ``BufferedReader``'s block reads.
///
/// It emits runs of content as large as possible: a run only breaks where a stuffed dot is
/// dropped, so a typical message is copied in a few large pieces while `memchr` finds the
/// line ends.
struct DotBlockDecoder {
    /// Whether the next byte begins a line.
    private var atLineStart = true

    /// Decodes from `input`; returns how many bytes were consumed and whether the terminating
    /// line was reached (and consumed). Bytes of an undecided line start (`.` or `.\r` at the very
    /// end of `input`) are left unconsumed for the next call.
    mutating func decode(
        _ input: UnsafeBufferPointer<UInt8>,
        emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> (consumed: Int, finished: Bool) {
        let end = input.count
        var index = 0
        var runStart = 0
        let dot = UInt8(ascii: "."), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        while index < end {
            if atLineStart {
                if input[index] == dot {
                    // ".\r\n" or ".\n" ends the block; any other line starting with "." lost one dot.
                    guard index + 1 < end else { break }
                    let next = input[index + 1]
                    var terminatorLength = 0
                    if next == lf {
                        terminatorLength = 2
                    } else if next == cr {
                        guard index + 2 < end else { break }
                        if input[index + 2] == lf { terminatorLength = 3 }
                    }
                    if runStart < index { try emit(UnsafeBufferPointer(rebasing: input[runStart..<index])) }
                    if terminatorLength > 0 {
                        atLineStart = true
                        return (index + terminatorLength, true)
                    }
                    index += 1
                    runStart = index
                }
                atLineStart = false
            }
            guard let newline = BufferedReader.find(lf, in: input, from: index, to: end) else {
                index = end
                break
            }
            index = newline + 1
            atLineStart = true
        }
        if runStart < index { try emit(UnsafeBufferPointer(rebasing: input[runStart..<index])) }
        return (index, false)
    }
}
