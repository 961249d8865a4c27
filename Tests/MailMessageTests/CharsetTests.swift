import Testing

@testable import MailMessage

@Suite("Charset decoding")
struct CharsetTests {
    @Test("finds charsets by name and alias")
    func names() {
        #expect(Charset(name: "UTF8") == .utf8)
        #expect(Charset(name: "cp1251") == .windows1251)
        #expect(Charset(name: "KOI8_R") == .koi8R)
        #expect(Charset(name: "latin1") == .iso8859_1)
        #expect(Charset(name: "\"windows-1252\"") == .windows1252)
        #expect(Charset(name: "utf-8*en") == .utf8)
        #expect(Charset(name: "x-mac-klingon") == nil)
    }

    @Test("maps known bytes of each table")
    func tables() {
        #expect(Charset.koi8R.decode([0xA3, 0xB3]) == "ёЁ")
        #expect(Charset.koi8U.decode([0xA4, 0xA6, 0xA7, 0xAD]) == "єіїґ")
        #expect(Charset.windows1251.decode([0xC0, 0xFF, 0xA8, 0xB8]) == "АяЁё")
        #expect(Charset.iso8859_5.decode([0xB0, 0xEF]) == "Ая")
        #expect(Charset.windows1252.decode([0x80, 0x93, 0x94]) == "€\u{201C}\u{201D}")
        #expect(Charset.iso8859_15.decode([0xA4, 0xBD]) == "€œ")
        #expect(Charset.iso8859_2.decode([0xB1, 0xE6]) == "ąć")
    }

    @Test("unlabelled or mislabelled bytes stay readable")
    func fallback() {
        #expect(Charset.decode(Array("Привет".utf8), charsetName: nil) == "Привет")
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], charsetName: "nonsense") == "café")
        #expect(Charset.usASCII.decode([0xE9]) == "é")
        #expect(Charset.utf8.decode([0xFF]) == "\u{FFFD}")
    }
}
