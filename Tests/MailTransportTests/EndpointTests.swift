import MailTransport
import Testing

@Suite("Endpoint and fingerprints")
struct EndpointTests {
    @Test("host:port, bracketed IPv6 and bad input parse as expected")
    func parsing() {
        #expect(Endpoint(parsing: "pop.example.com:995", security: .tls) == Endpoint(host: "pop.example.com", port: 995, security: .tls))
        #expect(Endpoint(parsing: "[::1]:110", security: .startTLS)?.host == "::1")
        #expect(Endpoint(parsing: "[::1]:110", security: .startTLS)?.description == "[::1]:110")
        #expect(Endpoint(parsing: "host", security: .tls) == nil)
        #expect(Endpoint(parsing: "host:0", security: .tls) == nil)
        #expect(Endpoint(parsing: "host:70000", security: .tls) == nil)
        #expect(Endpoint(parsing: "::1:110", security: .tls) == nil)
        #expect(Endpoint(parsing: ":25", security: .tls) == nil)
    }

    @Test("fingerprints parse with or without colons and prefixes, and print as lowercase hex")
    func fingerprints() {
        let hex = String(repeating: "ab", count: 32)
        let colons = (0..<32).map { _ in "AB" }.joined(separator: ":")
        #expect(CertificateFingerprint(hex)?.description == hex)
        #expect(CertificateFingerprint(colons) == CertificateFingerprint(hex))
        #expect(CertificateFingerprint("sha256:" + hex) == CertificateFingerprint(hex))
        #expect(CertificateFingerprint(String(hex.dropLast(2))) == nil)
        #expect(CertificateFingerprint(String(repeating: "zz", count: 32)) == nil)
    }

    @Test("IP literals are recognised")
    func ipLiterals() {
        #expect(TLSPolicy.isIPLiteral("127.0.0.1"))
        #expect(TLSPolicy.isIPLiteral("::1"))
        #expect(!TLSPolicy.isIPLiteral("localhost"))
    }

    @Test("errors say what to do and which failures are transient")
    func errors() {
        #expect(TransportError(.timedOut).isTransient)
        #expect(!TransportError(.certificateExpired).isTransient)
        #expect(TransportError(.connectionRefused).recoverySuggestion.contains("995"))
    }
}
