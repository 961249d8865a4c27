/// A small, bounded XML reader for autoconfig files: elements, attributes, text, CDATA,
/// comments and processing instructions, the five predefined entities and character references.
///
/// Why not `XMLParser`: autoconfig files come from the network and can be hostile. This reader
/// refuses any DTD (`<!DOCTYPE`), so entity-expansion bombs and external entities cannot
/// exist; it bounds input size, nesting depth, element count and attribute count; it never
/// recurses (an explicit stack), so deep nesting cannot overflow the thread's stack; and it
/// behaves the same on every platform. Namespace prefixes are dropped (`a:b` reads as `b`),
/// which is all config-v1.1 needs. Failures are ``DiscoveryError/Code/malformedXML``.
struct XMLReader {
    /// Bounds that keep memory and time small whatever the input.
    struct Limits: Sendable {
        /// Largest document accepted, in bytes. Real config files are under 20 KB.
        var maximumBytes = 1 << 20
        /// Deepest element nesting. config-v1.1 needs 5 levels.
        var maximumDepth = 32
        /// Most elements in one document (the bundled table has a few hundred).
        var maximumElements = 20_000
        /// Most attributes on one element.
        var maximumAttributes = 32
    }

    /// The limits in force.
    var limits = Limits()

    /// Parses `bytes` into the root element.
    func parse(_ bytes: [UInt8]) throws -> XMLElement {
        guard bytes.count <= limits.maximumBytes else {
            throw DiscoveryError(.malformedXML, "document of \(bytes.count) bytes exceeds \(limits.maximumBytes)")
        }
        var cursor = Cursor(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { cursor.index = 3 }
        var stack: [XMLElement] = []
        var root: XMLElement?
        var elementCount = 0
        while !cursor.atEnd {
            if cursor.peek != UInt8(ascii: "<") {
                let text = try cursor.readText()
                if stack.isEmpty {
                    guard text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) else {
                        throw Self.failure("text outside the root element", cursor)
                    }
                } else {
                    stack[stack.count - 1].text += text
                }
                continue
            }
            if cursor.consume("<?") {
                try cursor.skip(past: "?>")
            } else if cursor.consume("<!--") {
                try cursor.skip(past: "-->")
            } else if cursor.consume("<![CDATA[") {
                guard !stack.isEmpty else { throw Self.failure("CDATA outside the root element", cursor) }
                let content = try cursor.take(until: "]]>")
                stack[stack.count - 1].text += String(decoding: content, as: UTF8.self)
            } else if cursor.consume("<!") {
                throw Self.failure("DTDs and declarations are refused", cursor)
            } else if cursor.consume("</") {
                let name = try cursor.readName()
                cursor.skipSpace()
                guard cursor.consume(">") else { throw Self.failure("bad closing tag", cursor) }
                guard let open = stack.popLast(), open.qualifiedName == name else {
                    throw Self.failure("closing tag </\(name.prefix(40))> does not match", cursor)
                }
                try attach(open, to: &stack, root: &root, cursor)
            } else {
                cursor.index += 1
                let name = try cursor.readName()
                elementCount += 1
                guard elementCount <= limits.maximumElements else { throw Self.failure("too many elements", cursor) }
                var element = XMLElement(name: Self.localName(name), qualifiedName: name)
                var selfClosing = false
                while true {
                    let hadSpace = cursor.skipSpace()
                    if cursor.consume("/>") { selfClosing = true; break }
                    if cursor.consume(">") { break }
                    guard hadSpace else { throw Self.failure("bad tag", cursor) }
                    let attributeName = try cursor.readName()
                    cursor.skipSpace()
                    guard cursor.consume("=") else { throw Self.failure("attribute without value", cursor) }
                    cursor.skipSpace()
                    let value = try cursor.readQuoted()
                    guard element.attributes.count < limits.maximumAttributes else {
                        throw Self.failure("too many attributes", cursor)
                    }
                    element.attributes[Self.localName(attributeName)] = value
                }
                if root != nil { throw Self.failure("a second root element", cursor) }
                if selfClosing {
                    try attach(element, to: &stack, root: &root, cursor)
                } else {
                    guard stack.count < limits.maximumDepth else { throw Self.failure("nesting too deep", cursor) }
                    stack.append(element)
                }
            }
        }
        guard stack.isEmpty, let root else { throw Self.failure("the document ends early", cursor) }
        return root
    }

    private func attach(
        _ element: XMLElement, to stack: inout [XMLElement], root: inout XMLElement?, _ cursor: Cursor
    )
        throws
    {
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(element)
        }
    }

    private static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    fileprivate static func failure(_ what: String, _ cursor: Cursor) -> DiscoveryError {
        DiscoveryError(.malformedXML, "\(what) at byte \(cursor.index)")
    }
}

/// A position in the input with the lexical helpers of ``XMLReader``.
private struct Cursor {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { pattern in
            (0..<count).allSatisfy { bytes[index + $0] == pattern[$0] }
        }
        if matches { index += count }
        return matches
    }

    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = index
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        return index > start
    }

    mutating func skip(past literal: StaticString) throws {
        _ = try take(until: literal)
    }

    /// The bytes up to `literal`, consuming the literal too.
    mutating func take(until literal: StaticString) throws -> ArraySlice<UInt8> {
        let count = literal.utf8CodeUnitCount
        let pattern = literal.withUTF8Buffer { Array($0) }
        var position = index
        while position + count <= bytes.count {
            if bytes[position] == pattern[0], bytes[position..<position + count].elementsEqual(pattern) {
                let content = bytes[index..<position]
                index = position + count
                return content
            }
            position += 1
        }
        throw XMLReader.failure("unterminated construct", self)
    }

    mutating func readName() throws -> String {
        let start = index
        while let byte = peek {
            let isNameByte =
                byte >= 0x80 || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: ":")
            guard isNameByte else { break }
            index += 1
        }
        guard index > start, index - start <= 256 else { throw XMLReader.failure("bad name", self) }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func readQuoted() throws -> String {
        guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw XMLReader.failure("attribute value without quotes", self)
        }
        index += 1
        let start = index
        while let byte = peek, byte != quote {
            guard byte != UInt8(ascii: "<") else { throw XMLReader.failure("< in an attribute value", self) }
            index += 1
        }
        guard !atEnd else { throw XMLReader.failure("unterminated attribute value", self) }
        let raw = bytes[start..<index]
        index += 1
        return try decodeEntities(raw)
    }

    mutating func readText() throws -> String {
        let start = index
        while let byte = peek, byte != UInt8(ascii: "<") { index += 1 }
        return try decodeEntities(bytes[start..<index])
    }

    /// Replaces `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and `&#…;`; any other reference is an error.
    func decodeEntities(_ raw: ArraySlice<UInt8>) throws -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var position = raw.startIndex
        while position < raw.endIndex {
            let byte = raw[position]
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                position += 1
                continue
            }
            guard let semicolon = raw[position...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw XMLReader.failure("bad entity reference", self)
            }
            let reference = String(decoding: raw[(position + 1)..<semicolon], as: UTF8.self)
            switch reference {
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "amp": output.append(UInt8(ascii: "&"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            default:
                var number: UInt32?
                if reference.hasPrefix("#x") || reference.hasPrefix("#X") {
                    number = UInt32(reference.dropFirst(2), radix: 16)
                } else if reference.hasPrefix("#") {
                    number = UInt32(reference.dropFirst(), radix: 10)
                }
                guard let number, number != 0, let scalar = Unicode.Scalar(number) else {
                    throw XMLReader.failure("unknown entity &\(reference.prefix(10));", self)
                }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            position = semicolon + 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
