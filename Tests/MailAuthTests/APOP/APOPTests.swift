import MailAuth
import Testing

@Suite("APOP digest")
struct APOPTests {
    @Test("reproduces the RFC 1939 §7 example")
    func rfc1939() {
        #expect(
            APOP.digest(timestamp: "<1896.697170952@dbc.mtview.ca.us>", password: "tanstaaf")
                == "c4c9334bac560ecc979e58001b3e22fb")
    }

    @Test("finds the timestamp in a greeting, and nothing when there is none")
    func timestamp() {
        #expect(
            APOP.timestamp(inGreeting: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>")
                == "<1896.697170952@dbc.mtview.ca.us>")
        #expect(APOP.timestamp(inGreeting: "+OK Dovecot ready.") == nil)
        #expect(APOP.timestamp(inGreeting: "+OK <not a timestamp>") == nil)
    }
}
