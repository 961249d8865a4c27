import Foundation
import Testing

@testable import FolderRouting

@Suite("MessageRouter")
struct MessageRouterTests {
    let lists = Folder(uncheckedComponents: ["Lists"])
    let invoices = Folder(uncheckedComponents: ["Work", "Invoices"])

    func facts(
        account: String = "alice@example.com", from: [String] = ["bob@shop.example"], to: [String] = [],
        cc: [String] = [], subject: String? = nil, listID: String? = nil, headers: [String: [String]] = [:]
    ) -> MessageFacts {
        MessageFacts(account: account, from: from, to: to, cc: cc, subject: subject, listID: listID, headers: headers)
    }

    @Test("without rules mail goes to a folder named after the account with the account's marker")
    func defaultRoute() {
        let router = MessageRouter(accounts: [AccountRoute(account: "alice@example.com", marker: .green)])
        #expect(
            router.route(facts())
                == RoutingDecision(folder: Folder(uncheckedComponents: ["alice@example_com"]), marker: .green))
    }

    @Test("an account routed to the Inbox lands in the Inbox; an unknown account gets the fallback")
    func inboxAndUnknown() {
        let router = MessageRouter(
            accounts: [AccountRoute(account: "alice@example.com", destination: .inbox, marker: .red)],
            fallbackMarker: .gray)
        #expect(router.route(facts()) == RoutingDecision(folder: .inbox, marker: .red))
        #expect(
            router.route(facts(account: "x@y.z"))
                == RoutingDecision(folder: Folder(uncheckedComponents: ["x@y_z"]), marker: .gray))
    }

    @Test("the first matching rule wins and keeps the account's marker unless it sets one")
    func firstMatch() {
        let router = MessageRouter(
            rules: [
                RoutingRule(name: "Lists", when: .listID(.hasSuffix(".swift.org")), destination: .folder(lists)),
                RoutingRule(
                    name: "Invoices", when: .subject(.contains("invoice")), destination: .folder(invoices),
                    marker: .orange),
                RoutingRule(name: "Never", when: .always, destination: .inbox),
            ],
            accounts: [AccountRoute(account: "alice@example.com", marker: .blue)])
        let both = facts(subject: "Your INVOICE", listID: "dev.swift.org")
        #expect(router.route(both) == RoutingDecision(folder: lists, marker: .blue, ruleName: "Lists"))
        #expect(
            router.route(facts(subject: "Invoice 42"))
                == RoutingDecision(folder: invoices, marker: .orange, ruleName: "Invoices"))
        #expect(router.route(facts(subject: "hello")).ruleName == "Never")
    }

    @Test("conditions look at the account, From, To or Cc, arbitrary headers, and combine")
    func conditions() {
        let message = facts(
            to: ["me@example.com"], cc: ["team@corp.example"], subject: "Отчёт за март",
            headers: ["X-Priority": ["1"], "Received": ["a", "b"]])
        #expect(RoutingCondition.account(.equals("ALICE@example.com")).matches(message))
        #expect(RoutingCondition.from(.hasSuffix("@shop.example")).matches(message))
        #expect(RoutingCondition.toOrCc(.equals("team@corp.example")).matches(message))
        #expect(!RoutingCondition.toOrCc(.equals("bob@shop.example")).matches(message))
        #expect(RoutingCondition.subject(.contains("ОТЧЁТ")).matches(message))
        #expect(RoutingCondition.header("x-priority", .equals("1")).matches(message))
        #expect(RoutingCondition.header("RECEIVED", .equals("b")).matches(message))
        #expect(!RoutingCondition.header("List-Id", .contains("")).matches(message))
        #expect(RoutingCondition.all([.always, .from(.contains("bob"))]).matches(message))
        #expect(!RoutingCondition.any([]).matches(message))
        #expect(RoutingCondition.all([]).matches(message))
        #expect(RoutingCondition.not(.listID(.contains("x"))).matches(message))
        #expect(!RoutingCondition.subject(.contains("x")).matches(facts(subject: nil)))
    }

    @Test("a rule limited to one account does not apply to another")
    func accountScoped() {
        let router = MessageRouter(rules: [
            RoutingRule(name: "Bob", when: .all([.account(.equals("bob@x.org")), .always]), destination: .inbox)
        ])
        #expect(router.route(facts(account: "bob@x.org")).folder == .inbox)
        #expect(router.route(facts()).folder != .inbox)
    }

    @Test("the list identifier is taken from between angle brackets")
    func listIdentifier() {
        #expect(
            MessageFacts.listIdentifier(inListIDHeader: "Swift Forums <swift.forums.example>") == "swift.forums.example"
        )
        #expect(MessageFacts.listIdentifier(inListIDHeader: "  plain.example ") == "plain.example")
        #expect(MessageFacts.listIdentifier(inListIDHeader: "<>") == nil)
    }

    @Test("a new account folder avoids the folders that exist and the router encodes as JSON")
    func newFolderAndCodable() throws {
        let route = AccountRoute.newFolder(for: "a.b@x.org", avoiding: [try Folder(["a_b@x_org"])], marker: .teal)
        #expect(route.resolvedFolder.path == "a_b@x_org (2)")
        let router = MessageRouter(
            rules: [RoutingRule(name: "r", when: .not(.always), destination: .accountFolder)], accounts: [route])
        let decoded = try JSONDecoder().decode(MessageRouter.self, from: JSONEncoder().encode(router))
        #expect(decoded == router)
    }

    @Test("header names are lower-cased whatever case the caller used")
    func headerCase() {
        let message = MessageFacts(account: "a", headers: ["List-ID": ["x"], "list-id": ["y"]])
        #expect(message.values(of: "LIST-ID").sorted() == ["x", "y"])
    }
}
