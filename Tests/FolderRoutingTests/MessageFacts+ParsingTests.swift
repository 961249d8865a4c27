import Testing

@testable import FolderRouting

@Suite("MessageFacts from a raw message")
struct MessageFactsParsingTests {
    @Test("addresses, decoded subject, list identifier and every header come from the message's header")
    func parsed() {
        let message = Array(
            """
            From: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>\r
            To: team: a@x.example, "B" <b@y.example>;\r
            Cc: c@z.example\r
            Subject: =?UTF-8?Q?Caf=C3=A9?=\r
             menu\r
            List-Id: Swift Forums <swift.forums.example>\r
            X-Priority: 1\r
            Received: one\r
            Received: two\r
            \r
            From: not-a-header@body.example\r

            """.utf8)
        let facts = MessageFacts(account: "acct", parsing: message)
        #expect(facts.account == "acct")
        #expect(facts.from == ["ivan@example.ru"])
        #expect(facts.to == ["a@x.example", "b@y.example"])
        #expect(facts.cc == ["c@z.example"])
        #expect(facts.subject == "Café menu")
        #expect(facts.listID == "swift.forums.example")
        #expect(facts.values(of: "received") == ["one", "two"])
        #expect(facts.values(of: "X-PRIORITY") == ["1"])
        let router = MessageRouter(rules: [
            RoutingRule(name: "Café", when: .subject(.contains("café")), destination: .inbox, marker: .pink)
        ])
        #expect(router.route(facts) == RoutingDecision(folder: .inbox, marker: .pink, ruleName: "Café"))
    }

    @Test("a message with no header, or bytes that are not mail, still gives the account's facts")
    func noHeader() {
        for bytes in [[], [0, 255, 13, 10, 13, 10], Array("just a body\n".utf8)] as [[UInt8]] {
            let facts = MessageFacts(account: "acct", parsing: bytes)
            #expect(facts.account == "acct")
            #expect(facts.from.isEmpty && facts.subject == nil && facts.listID == nil)
        }
    }
}
