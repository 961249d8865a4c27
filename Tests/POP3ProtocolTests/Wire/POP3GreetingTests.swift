import Testing

@testable import POP3Protocol

@Suite("POP3Greeting")
struct POP3GreetingTests {
    @Test("the APOP timestamp of RFC 1939 §7's example is found")
    func rfcExample() {
        let greeting = POP3Greeting(text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
        #expect(greeting.apopTimestamp == "<1896.697170952@dbc.mtview.ca.us>")
    }

    @Test("no timestamp, or something bracketed that is not one, means no APOP", arguments: [
        "Dovecot ready.", "ready <no-at-sign>", "ready <a b@c>", "ready <unclosed@x",
    ])
    func none(text: String) {
        #expect(POP3Greeting(text: text).apopTimestamp == nil)
    }
}
