import Testing

@testable import MailMessage

@Suite("RFC 2047 encoded words")
struct EncodedWordTests {
    @Test("decodes B and Q words in UTF-8")
    func utf8() {
        #expect(EncodedWord.decode("=?UTF-8?B?0J/RgNC40LLQtdGC?=") == "Привет")
        #expect(EncodedWord.decode("=?utf-8?q?caf=C3=A9_au_lait?=") == "café au lait")
    }

    @Test("drops white space between adjacent words but keeps it around text")
    func adjacency() {
        #expect(EncodedWord.decode("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab")
        #expect(EncodedWord.decode("=?utf-8?q?a?=\r\n =?utf-8?q?b?=") == "ab")
        #expect(EncodedWord.decode("Re: =?utf-8?q?a?= x =?utf-8?q?b?=") == "Re: a x b")
        #expect(EncodedWord.decode("=?utf-8?q?a?=  tail") == "a  tail")
    }

    @Test("joins a UTF-8 character split across two words")
    func splitCharacter() {
        // "П" is D0 9F; the two bytes are in two words.
        #expect(EncodedWord.decode("=?utf-8?Q?=D0?= =?utf-8?Q?=9F?=") == "П")
    }

    @Test("decodes the Cyrillic single-byte charsets")
    func cyrillic() {
        #expect(EncodedWord.decode("=?koi8-r?B?8NLJ18XU?=") == "Привет")
        #expect(EncodedWord.decode("=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=") == "Привет")
        #expect(EncodedWord.decode("=?iso-8859-5?Q?=BF=E0=D8=D2=D5=E2?=") == "Привет")
        #expect(EncodedWord.decode("=?KOI8-U?Q?=BD?=") == "Ґ")
    }

    @Test("decodes the Latin single-byte charsets")
    func latin() {
        #expect(EncodedWord.decode("=?iso-8859-1?q?caf=E9?=") == "café")
        #expect(EncodedWord.decode("=?iso-8859-15?q?=A4?=") == "€")
        #expect(EncodedWord.decode("=?iso-8859-2?q?=A3?=") == "Ł")
        #expect(EncodedWord.decode("=?windows-1252?q?=80?=") == "€")
    }

    @Test("an unknown charset degrades to readable text")
    func unknownCharset() {
        #expect(EncodedWord.decode("=?x-unknown?q?abc?=") == "abc")
        #expect(EncodedWord.decode("=?x-unknown?q?=E9?=") == "é")
    }

    @Test("leaves malformed words as literal text")
    func malformed() {
        #expect(EncodedWord.decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(EncodedWord.decode("=?utf-8?q?no end") == "=?utf-8?q?no end")
        #expect(EncodedWord.decode("=??q?abc?=") == "=??q?abc?=")
        #expect(EncodedWord.decode("a =? b") == "a =? b")
        #expect(EncodedWord.decode("=?utf-8?q?bad=ZZ?=") == "bad=ZZ")
    }

    @Test("decodes words glued to text and a language suffix")
    func glued() {
        #expect(EncodedWord.decode("Re:=?utf-8?q?x?=") == "Re:x")
        #expect(EncodedWord.decode("=?utf-8*ru?q?x?=") == "x")
    }

    @Test("stays linear on a long run of word starts")
    func hostileRun() {
        let text = String(repeating: "=?a?q?", count: 20_000)
        #expect(EncodedWord.decode(text) == text)
    }

    @Test("encodes into words of at most 75 characters that decode back")
    func encodeRoundTrip() {
        let samples = [
            "Привет, мир! Это длинная тема письма, чтобы проверить перенос слов в заголовке",
            "café crème brûlée — with some ASCII words around it to pick Q encoding",
            "emoji 👍🏽 and 中文 mixed",
            String(repeating: "я", count: 200),
        ]
        for sample in samples {
            let words = EncodedWord.encode(sample)
            #expect(words.allSatisfy { $0.utf8.count <= EncodedWord.maxWordLength })
            #expect(EncodedWord.decode(words.joined(separator: "\r\n ")) == sample)
            // Every word is valid UTF-8 on its own: no sequence was split.
            for word in words {
                #expect(!EncodedWord.decode(word).contains("\u{FFFD}"))
            }
        }
    }

    @Test("knows when text needs encoding")
    func needsEncoding() {
        #expect(!EncodedWord.needsEncoding("Plain ASCII subject"))
        #expect(EncodedWord.needsEncoding("Привет"))
        #expect(EncodedWord.needsEncoding("looks =?like?= a word"))
    }
}
