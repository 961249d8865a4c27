import MailTransport

/// One client command as the fake reads it: its own small parser (RFC 9051 §2.2.1, §4),
/// independent of the IMAP client's encoder.
struct FakeIMAPRequest {
    /// A command argument.
    indirect enum Token: Equatable {
        /// An atom, a number, a sequence set, a flag, `BODY.PEEK[]` (brackets included).
        case atom(String)
        /// A quoted string or a literal.
        case string([UInt8])
        /// A parenthesized list.
        case list([Token])

        /// The token as text: an atom's or a string's characters.
        var text: String? {
            switch self {
            case .atom(let text): text
            case .string(let bytes): String(decoding: bytes, as: UTF8.self)
            case .list: nil
            }
        }

        /// The token's atoms, for a list or a single atom.
        var words: [String] {
            switch self {
            case .atom(let text): [text]
            case .string(let bytes): [String(decoding: bytes, as: UTF8.self)]
            case .list(let tokens): tokens.compactMap(\.text)
            }
        }
    }

    let tag: String
    /// The command word, upper case; `UID FETCH` for UID commands.
    let verb: String
    let arguments: [Token]
    /// The first line as received, for the command log.
    let firstLine: String

    /// A literal's announcement at the end of a line piece: its size and whether it is
    /// non-synchronizing (`{n+}`, RFC 7888).
    static func literalAnnouncement(_ line: [UInt8]) -> (size: Int, nonSynchronizing: Bool)? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = Array(line[(open + 1)..<(line.count - 1)])
        var plus = false
        if digits.last == UInt8(ascii: "+") || digits.last == UInt8(ascii: "-") {
            plus = true
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let size = Int(String(decoding: digits, as: UTF8.self))
        else { return nil }
        return (size, plus)
    }

    /// Parses the pieces of one command: line pieces with the literals that followed them.
    static func parse(pieces: [[UInt8]], literals: [[UInt8]]) -> FakeIMAPRequest? {
        var tokens: [Token] = []
        var stack: [[Token]] = []
        for (index, piece) in pieces.enumerated() {
            var bytes = piece
            var literal: [UInt8]?
            if index < literals.count, let open = bytes.lastIndex(of: UInt8(ascii: "{")) {
                bytes.removeSubrange(open...)
                literal = literals[index]
            }
            guard tokenize(bytes, into: &tokens, stack: &stack) else { return nil }
            if let literal { append(.string(literal), to: &tokens, stack: &stack) }
        }
        guard stack.isEmpty, tokens.count >= 2, case .atom(let tag) = tokens[0], case .atom(var verb) = tokens[1] else {
            return nil
        }
        verb = verb.uppercased()
        var rest = Array(tokens.dropFirst(2))
        if verb == "UID", case .atom(let sub)? = rest.first {
            verb = "UID " + sub.uppercased()
            rest.removeFirst()
        }
        return FakeIMAPRequest(
            tag: tag, verb: verb, arguments: rest, firstLine: String(decoding: pieces[0], as: UTF8.self))
    }

    private static func append(_ token: Token, to tokens: inout [Token], stack: inout [[Token]]) {
        if stack.isEmpty { tokens.append(token) } else { stack[stack.count - 1].append(token) }
    }

    private static func tokenize(_ bytes: [UInt8], into tokens: inout [Token], stack: inout [[Token]]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: " "):
                index += 1
            case UInt8(ascii: "("):
                stack.append([])
                index += 1
            case UInt8(ascii: ")"):
                guard let list = stack.popLast() else { return false }
                append(.list(list), to: &tokens, stack: &stack)
                index += 1
            case UInt8(ascii: "\""):
                var value: [UInt8] = []
                index += 1
                while true {
                    guard index < bytes.count else { return false }
                    let next = bytes[index]
                    index += 1
                    if next == UInt8(ascii: "\"") { break }
                    if next == UInt8(ascii: "\\") {
                        guard index < bytes.count else { return false }
                        value.append(bytes[index])
                        index += 1
                    } else {
                        value.append(next)
                    }
                }
                append(.string(value), to: &tokens, stack: &stack)
            default:
                var end = index
                var inBrackets = false
                while end < bytes.count {
                    let next = bytes[end]
                    if next == UInt8(ascii: "[") { inBrackets = true }
                    if next == UInt8(ascii: "]") { inBrackets = false }
                    if !inBrackets, next == UInt8(ascii: " ") || next == UInt8(ascii: "(") || next == UInt8(ascii: ")")
                    {
                        break
                    }
                    end += 1
                }
                append(.atom(String(decoding: bytes[index..<end], as: UTF8.self)), to: &tokens, stack: &stack)
                index = end
            }
        }
        return true
    }
}
