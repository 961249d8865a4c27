/// A misbehaviour a ``FakePOP3Server`` can be told to show, so that clients are tested
/// against broken or hostile servers without one.
///
/// `verb` names the command whose answer is affected (`"RETR"`, `"PASS"`, any case), or
/// `"GREETING"` for the greeting.
public enum FakePOP3Fault: Sendable, Hashable {
    /// Closes the connection after sending this many bytes in the session (in the middle of a
    /// line or a message if that is where the count ends).
    case dropConnection(afterBytes: Int)
    /// Waits this long before answering `verb` (every command when nil).
    case delay(Duration, verb: String?)
    /// Answers `verb` with `response` instead (for example `-ERR [SYS/TEMP] try later` or
    /// `-ERR [LOGIN-DELAY] wait`), without doing what the command asks.
    case refuse(verb: String, response: String)
    /// Answers `verb` with this raw line (CRLF added), for example `* OK not POP3`.
    case malformedLine(verb: String, line: String)
    /// Answers `verb` with a `+OK` line of this many characters.
    case oversizedLine(verb: String, length: Int)
    /// Answers `verb` with `+OK` and then lines that never end with the terminating dot,
    /// until the client goes away.
    case endlessResponse(verb: String)
    /// Never answers `verb` (the client must time out).
    case silent(verb: String)
    /// Sends the answer to `verb` (every answer when nil, `"GREETING"` for the greeting) one
    /// byte at a time, `interval` apart: a slow-loris server that never stays silent long
    /// enough for a read timeout, so only an overall deadline on the exchange stops it.
    case slowLoris(verb: String?, interval: Duration = .seconds(1))
}
