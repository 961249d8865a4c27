/// A table read from comma-separated values as RFC 4180 defines them, for roll-out lists of
/// accounts: fields separated by commas, records by CRLF (a bare LF or CR is accepted too),
/// fields in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`);
/// a UTF-8 byte order mark before the header is ignored. The first record is the header.
public struct CSVTable: Sendable, Equatable {
    /// The header's column names, lowercased with surrounding spaces removed.
    public var columns: [String]
    /// Every record after the header, each with one value per field as written (records may be
    /// shorter or longer than the header); empty records are left out.
    public var records: [[String]]

    /// Why a text is not a table.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `text`.
    /// - Throws: ``ParseError`` for an empty text, a quote left open at the end, or a character
    ///   after a closing quote other than a comma or a line break (RFC 4180 §2 rules 5–7).
    public init(parsing text: String) throws {
        var rows: [[String]] = []
        var row: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var afterQuote = false
        var line = 1
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endField() {
            row.append(String(field))
            field = String.UnicodeScalarView()
            afterQuote = false
        }
        func endRecord() {
            let quotedEmpty = afterQuote
            endField()
            if !(row.count == 1 && row[0].isEmpty && !quotedEmpty) { rows.append(row) }
            row = []
            line += 1
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                endField()
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord()
            case "\n":
                endRecord()
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
            default:
                guard !afterQuote else {
                    throw ParseError(description: "line \(line): text after a closing quote (a quote inside a quoted field is written \"\")")
                }
                field.append(scalar)
            }
        }
        guard !quoted else { throw ParseError(description: "line \(line): a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || afterQuote { endRecord() }
        guard let header = rows.first else { throw ParseError(description: "the table is empty: it needs a header row") }
        columns = header.map { $0.trimmingSpaces().lowercased() }
        records = Array(rows.dropFirst())
    }

    /// The value of `column` in `record`, with surrounding spaces removed; nil when the table has
    /// no such column or the value is empty.
    public func value(_ column: String, in record: [String]) -> String? {
        guard let index = columns.firstIndex(of: column), index < record.count else { return nil }
        let value = record[index].trimmingSpaces()
        return value.isEmpty ? nil : value
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
