import Foundation
import Testing

@testable import FolderRouting

@Suite("MarkerColor")
struct MarkerColorTests {
    @Test("every palette colour parses back from its name")
    func palette() {
        for color in MarkerColor.palette {
            #expect(MarkerColor(color.description) == color)
            #expect(color.name != nil)
        }
        #expect(MarkerColor("GREY") == .gray)
        #expect(MarkerColor("Blue") == .blue)
    }

    @Test("a custom colour prints and parses as #RRGGBB")
    func custom() throws {
        let color = MarkerColor.custom(red: 0x0A, green: 0xFF, blue: 0x00)
        #expect(color.description == "#0AFF00")
        #expect(MarkerColor("#0aff00") == color)
        #expect(color.name == nil)
        let data = try JSONEncoder().encode([color, .teal])
        #expect(String(decoding: data, as: UTF8.self) == "[\"#0AFF00\",\"teal\"]")
        #expect(try JSONDecoder().decode([MarkerColor].self, from: data) == [color, .teal])
    }

    @Test("anything else is not a colour", arguments: ["", "#12345", "#GGGGGG", "bluish", "#1234567"])
    func invalid(text: String) {
        #expect(MarkerColor(text) == nil)
    }
}
