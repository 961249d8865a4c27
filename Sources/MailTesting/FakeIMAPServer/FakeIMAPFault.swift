/// A misbehaviour a ``FakeIMAPServer`` can be told to show, so that clients are tested against
/// broken or hostile servers without one.
///
/// `command` names the command whose answer is affected (`"LOGIN"`, `"UID FETCH"`, any case),
/// or `"GREETING"` for the greeting.
public enum FakeIMAPFault: Sendable, Hashable {
    /// Closes the connection after sending this many bytes in the session.
    case dropConnection(afterBytes: Int)
    /// Waits this long before answering `command` (every command when nil).
    case delay(Duration, command: String?)
    /// Completes `command` with this status and text instead (`NO [UNAVAILABLE] try later`), tag
    /// added, without doing what it asks. For `GREETING`, the line is sent untagged
    /// (`BYE [UNAVAILABLE] maintenance`) and the connection closed.
    case refuse(command: String, response: String)
    /// Answers `command` with this raw line (CRLF added) and nothing else.
    case malformedLine(command: String, line: String)
    /// Sends this untagged line (`* OK [ALERT] ...`) before answering `command` normally.
    case untaggedBefore(command: String, line: String)
    /// Answers `command` with an untagged line of this many characters.
    case oversizedLine(command: String, length: Int)
    /// Answers `command` with a FETCH whose body literal announces `size` octets, then sends
    /// filler until the client goes away.
    case oversizedLiteral(command: String, size: Int)
    /// Sends `* BYE text` instead of answering `command`, and closes.
    case bye(command: String, text: String)
    /// Never answers `command` (the client must time out).
    case silent(command: String)
}
