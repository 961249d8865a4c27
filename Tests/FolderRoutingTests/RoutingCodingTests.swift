import FolderRouting
import Foundation
import Testing

@Suite("Routing values have designed, readable JSON forms")
struct RoutingCodingTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    @Test("destinations are \"inbox\", \"account-folder\" or {\"folder\": [components]}")
    func destinations() throws {
        #expect(try Self.json(RoutingDestination.inbox) == "\"inbox\"")
        #expect(try Self.json(RoutingDestination.accountFolder) == "\"account-folder\"")
        #expect(try Self.json(RoutingDestination.folder(try Folder(["Lists", "Swift"]))) == #"{"folder":["Lists","Swift"]}"#)
        #expect(try Self.decode(RoutingDestination.self, #"{"folder":["A"]}"#) == .folder(try Folder(["A"])))
        #expect(throws: DecodingError.self) { try Self.decode(RoutingDestination.self, #"{"folder":["A"],"inbox":1}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(RoutingDestination.self, #""outbox""#) }
    }

    @Test("conditions and text matches are one-key objects, nested as written")
    func conditions() throws {
        let condition = RoutingCondition.all([
            .listID(.hasSuffix(".swift.org")), .not(.from(.equals("bot@example.com"))), .header("X-Spam", .contains("yes")),
            .always,
        ])
        let text = try Self.json(condition)
        #expect(
            text
                == #"{"all":[{"listID":{"suffix":".swift.org"}},{"not":{"from":{"equals":"bot@example.com"}}},{"header":{"match":{"contains":"yes"},"name":"X-Spam"}},"always"]}"#
        )
        #expect(try Self.decode(RoutingCondition.self, text) == condition)
        #expect(!text.contains("_0"))
    }

    @Test("a rule round-trips with its marker, and a router too")
    func rules() throws {
        let rule = RoutingRule(name: "Lists", when: .subject(.hasPrefix("[swift]")), destination: .inbox, marker: .teal)
        let text = try Self.json(rule)
        #expect(text == #"{"condition":{"subject":{"prefix":"[swift]"}},"destination":"inbox","marker":"teal","name":"Lists"}"#)
        #expect(try Self.decode(RoutingRule.self, text) == rule)
        let router = MessageRouter(rules: [rule], accounts: [AccountRoute(account: "a@b.c", destination: .accountFolder, marker: .red)])
        #expect(try Self.decode(MessageRouter.self, try Self.json(router)) == router)
    }
}
