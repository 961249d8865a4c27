import Testing

@testable import AutoDiscovery

@Suite("XML reader")
struct XMLReaderTests {
    func parse(_ text: String, limits: XMLReader.Limits = .init()) throws -> XMLElement {
        try XMLReader(limits: limits).parse(Array(text.utf8))
    }

    func code(_ text: String, limits: XMLReader.Limits = .init()) -> DiscoveryError.Code? {
        do {
            _ = try parse(text, limits: limits)
            return nil
        } catch let error as DiscoveryError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test("reads elements, attributes, text, CDATA, entities and skips comments and PIs")
    func wellFormed() throws {
        let root = try parse(
            """
            \u{FEFF}<?xml version="1.0"?><!-- c --><a x='1' ns:y="&lt;&amp;&#x41;&#66;">t&quot;<b/><c>in<![CDATA[<raw>]]></c><?pi?></a>
            """)
        #expect(root.name == "a")
        #expect(root.attributes == ["x": "1", "y": "<&AB"])
        #expect(root.text == "t\"")
        #expect(root.children.map(\.name) == ["b", "c"])
        #expect(root.value("c") == "in<raw>")
    }

    @Test(
        "malformed documents fail with malformedXML",
        arguments: [
            "", "<a>", "<a></b>", "<a><b></a></b>", "text", "<a/><b/>", "<a x=1/>", "<a x='1'y='2'/>",
            "<a>&unknown;</a>",
            "<a>&#0;</a>", "<a><!-- unterminated", "<a x='<'/>", "<a></a>trailing", "<>", "</a>",
        ])
    func malformed(_ text: String) {
        #expect(code(text) == .malformedXML)
    }

    @Test("DTDs are refused, so entity bombs and external entities cannot exist")
    func refusesDTD() {
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>
            """
        #expect(code(bomb) == .malformedXML)
        #expect(code("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>") == .malformedXML)
    }

    @Test("size, depth, element and attribute limits are enforced")
    func limits() {
        #expect(code(String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40)) == .malformedXML)
        #expect(
            code("<a>" + String(repeating: " ", count: 200) + "</a>", limits: .init(maximumBytes: 100)) == .malformedXML
        )
        #expect(
            code("<a>" + String(repeating: "<b/>", count: 20) + "</a>", limits: .init(maximumElements: 10))
                == .malformedXML)
        let attributes = (0..<40).map { "a\($0)='x'" }.joined(separator: " ")
        #expect(code("<a \(attributes)/>") == .malformedXML)
        // Deep nesting far beyond the limit fails fast, without recursion.
        #expect(code(String(repeating: "<a>", count: 100_000)) == .malformedXML)
    }
}
