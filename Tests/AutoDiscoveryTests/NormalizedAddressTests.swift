import Testing

@testable import AutoDiscovery

@Suite("Address normalisation")
struct NormalizedAddressTests {
    @Test("splits at the last @, lower-cases the domain and drops a trailing dot")
    func splitsAndFolds() throws {
        let address = try NormalizedAddress("  \"a@b\"@Example.COM.  ")
        #expect(address.localPart == "\"a@b\"")
        #expect(address.domain == "example.com")
        #expect(address.address == "\"a@b\"@example.com")
    }

    @Test("internationalised domains become Punycode A-labels")
    func punycode() throws {
        #expect(try NormalizedAddress("anna@Bücher.example").domain == "xn--bcher-kva.example")
        #expect(try NormalizedAddress("x@münchen.de").domain == "xn--mnchen-3ya.de")
        // RFC 3492 §7.1 sample (L): Japanese.
        #expect(NormalizedAddress.asciiLabel("3年b組金八先生") == "xn--3b-ww4c5e180e575a65lsy2b")
    }

    @Test(
        "invalid input is refused with invalidAddress",
        arguments: [
            "", "no-at-sign", "@example.com", "user@", "user@localhost", "user@exa mple.com", "user@-bad.com",
            "user@bad-.com", "user@a..b", "user@" + String(repeating: "a", count: 64) + ".com", "us\u{0}er@example.com",
        ])
    func refusesInvalid(_ text: String) {
        do {
            _ = try NormalizedAddress(text)
        } catch let error as DiscoveryError {
            #expect(error.code == .invalidAddress)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
