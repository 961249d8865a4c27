/// The `; name=value` parameters of `Content-Type` and `Content-Disposition`
/// (RFC 2045 §5.1), with RFC 2231 continuations (`name*0=`, `name*1=`) and charsets
/// (`name*=utf-8''%D0%90`) joined and decoded.
///
/// Names are compared case-insensitively and stored lower-cased. Values written as RFC 2047
/// encoded words inside quotes (common, though not allowed) are decoded too.
public struct MIMEParameters: Sendable, Hashable, Sequence {
    /// One parameter.
    public struct Parameter: Sendable, Hashable {
        /// The lower-cased name, without any RFC 2231 `*` suffix.
        public var name: String
        /// The decoded value.
        public var value: String
    }

    /// The parameters in order of first appearance.
    public private(set) var parameters: [Parameter]

    /// Most RFC 2231 sections accepted for one parameter; more are ignored (bounds the work).
    static let maxSections = 1_000

    /// Creates parameters from name/value pairs.
    public init(_ pairs: [(String, String)] = []) {
        parameters = pairs.map { Parameter(name: $0.0.lowercased(), value: $0.1) }
    }

    /// The value of parameter `name` (case-insensitive).
    public subscript(name: String) -> String? {
        get {
            let key = name.lowercased()
            return parameters.first { $0.name == key }?.value
        }
        set {
            let key = name.lowercased()
            parameters.removeAll { $0.name == key }
            if let newValue { parameters.append(Parameter(name: key, value: newValue)) }
        }
    }

    /// Iterates the parameters in order.
    public func makeIterator() -> IndexingIterator<[Parameter]> { parameters.makeIterator() }

    /// Parses parameters from `bytes`, which start at or before the first `;`.
    init(parsing bytes: ArraySlice<UInt8>) {
        struct Section {
            var index: Int
            var value: [UInt8]
            var encoded: Bool
        }
        var order: [String] = []
        var seen = Set<String>()
        var plain: [String: String] = [:]
        var sections: [String: [Section]] = [:]
        var index = bytes.startIndex
        let end = bytes.endIndex

        func skipSpace() {
            while index < end {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                    index += 1
                } else if byte == 0x28 {  // comment
                    var depth = 0
                    while index < end {
                        if bytes[index] == 0x5C { index += 2; continue }
                        if bytes[index] == 0x28 { depth += 1 }
                        if bytes[index] == 0x29 { depth -= 1; if depth == 0 { index += 1; break } }
                        index += 1
                    }
                } else {
                    break
                }
            }
            index = Swift.min(index, end)
        }

        while index < end {
            // Find the next ';' (values are skipped below, so this only skips junk).
            while index < end, bytes[index] != 0x3B { index += 1 }
            guard index < end else { break }
            index += 1
            skipSpace()
            let nameStart = index
            while index < end {
                let byte = bytes[index]
                if byte == 0x3D || byte == 0x3B || byte <= 0x20 || byte == 0x22 { break }
                index += 1
            }
            let rawName = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
            skipSpace()
            guard index < end, bytes[index] == 0x3D, !rawName.isEmpty else { continue }
            index += 1
            skipSpace()
            var value: [UInt8] = []
            if index < end, bytes[index] == 0x22 {
                index += 1
                while index < end, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C, index + 1 < end { index += 1 }
                    if bytes[index] != 0x0D && bytes[index] != 0x0A { value.append(bytes[index]) }
                    index += 1
                }
                index = Swift.min(index + 1, end)
            } else {
                while index < end, bytes[index] != 0x3B {
                    value.append(bytes[index])
                    index += 1
                }
                // A comment after an unquoted value is not part of it.
                if let open = value.firstIndex(of: 0x28), open > 0, value[open - 1] == 0x20 || value[open - 1] == 0x09 {
                    value.removeSubrange(open...)
                }
                while let last = value.last, last == 0x20 || last == 0x09 || last == 0x0D || last == 0x0A {
                    value.removeLast()
                }
            }
            // RFC 2231 name forms: name, name*, name*N, name*N*.
            var name = rawName
            var sectionIndex: Int?
            var encoded = false
            if let star = name.firstIndex(of: "*") {
                let suffix = name[name.index(after: star)...]
                name = String(name[..<star])
                if suffix.isEmpty {
                    sectionIndex = 0
                    encoded = true
                } else {
                    encoded = suffix.hasSuffix("*")
                    let digits = encoded ? suffix.dropLast() : suffix
                    guard let number = Int(digits), number >= 0, number < MIMEParameters.maxSections else { continue }
                    sectionIndex = number
                }
            }
            if seen.insert(name).inserted { order.append(name) }
            if let sectionIndex {
                var list = sections[name, default: []]
                if list.count < MIMEParameters.maxSections, !list.contains(where: { $0.index == sectionIndex }) {
                    list.append(Section(index: sectionIndex, value: value, encoded: encoded))
                }
                sections[name] = list
            } else if plain[name] == nil {
                plain[name] = EncodedWord.decodeText(value[...])
            }
        }

        var result: [Parameter] = []
        for name in order {
            if let list = sections[name]?.sorted(by: { $0.index < $1.index }), !list.isEmpty {
                var charset: String?
                var joined: [UInt8] = []
                for section in list {
                    var piece = section.value[...]
                    if section.encoded {
                        if section.index == list[0].index, charset == nil {
                            // charset'language'value
                            let parts = piece.split(separator: 0x27, maxSplits: 2, omittingEmptySubsequences: false)
                            if parts.count == 3 {
                                charset = String(decoding: parts[0], as: UTF8.self)
                                piece = parts[2]
                            }
                        }
                        joined += MIMEParameters.percentDecode(piece)
                    } else {
                        joined += piece
                    }
                }
                result.append(Parameter(name: name, value: Charset.decode(joined, charsetName: charset)))
            } else if let value = plain[name] {
                result.append(Parameter(name: name, value: value))
            }
        }
        parameters = result
    }

    /// `%XX` decoding of RFC 2231 extended values; malformed escapes stay literal.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x25, index + 2 < bytes.endIndex,
                let high = QuotedPrintable.hexValue(bytes[index + 1]),
                let low = QuotedPrintable.hexValue(bytes[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}
