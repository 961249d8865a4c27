import AccountLinking
import Testing

@Suite("CSVTable (RFC 4180)")
struct CSVTableTests {
    @Test("quoted fields keep commas, line breaks and doubled quotes")
    func quoting() throws {
        let table = try CSVTable(parsing: "address,owner\r\n\"a@example.test\",\"Smith, \"\"Jo\"\"\r\nSales\"\r\n")
        #expect(table.columns == ["address", "owner"])
        #expect(table.records == [["a@example.test", "Smith, \"Jo\"\r\nSales"]])
    }

    @Test("CRLF, LF and CR end records; a byte order mark and empty lines are ignored")
    func lineEnds() throws {
        let table = try CSVTable(parsing: "\u{FEFF}Address, User \r\na@x.test,a\nb@x.test,b\rc@x.test,c\n\n")
        #expect(table.columns == ["address", "user"])
        #expect(table.records.map { table.value("address", in: $0) } == ["a@x.test", "b@x.test", "c@x.test"])
        #expect(table.records.map { table.value("user", in: $0) } == ["a", "b", "c"])
    }

    @Test("the last record needs no line end; missing and empty values are nil; unknown columns are kept")
    func values() throws {
        let table = try CSVTable(parsing: "address,password_file,team\na@x.test,,blue\nb@x.test")
        #expect(table.columns == ["address", "password_file", "team"])
        #expect(table.value("password_file", in: table.records[0]) == nil)
        #expect(table.value("team", in: table.records[0]) == "blue")
        #expect(table.value("team", in: table.records[1]) == nil)
        #expect(table.value("nothing", in: table.records[0]) == nil)
        #expect(try CSVTable(parsing: "address\n\"\"\n").records == [[""]])
    }

    @Test("an open quote, text after a closing quote and an empty text are errors naming the line")
    func errors() {
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "address\n\"a@x.test\n") }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "address\n\"a\"b\n") }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "") }
        let error = #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "address\n\"open") }
        #expect(error?.description == "line 2: a quoted field is not closed")
    }
}
