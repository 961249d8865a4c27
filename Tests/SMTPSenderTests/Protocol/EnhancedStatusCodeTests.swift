import Testing

@testable import SMTPSender

@Suite("EnhancedStatusCode")
struct EnhancedStatusCodeTests {
    @Test("class.subject.detail parses when class is 2, 4 or 5")
    func parses() {
        #expect(EnhancedStatusCode(parsing: "5.7.139") == EnhancedStatusCode(5, 7, 139))
        #expect(EnhancedStatusCode(parsing: "2.0.0")?.description == "2.0.0")
    }

    @Test("other shapes are not status codes")
    func refuses() {
        for text in ["3.0.0", "5.7", "5.7.1.2", "5..1", "5.7.1000", "a.b.c", "", "5.7.9x"] {
            #expect(EnhancedStatusCode(parsing: text) == nil, "\(text)")
        }
    }
}
