import MailTransport
import Testing

@testable import AutoDiscovery

@Suite("config-v1.1 reader")
struct AutoconfigReaderTests {
    let address: NormalizedAddress

    init() throws {
        address = try NormalizedAddress("jo.doe@example.com")
    }

    @Test("reads servers, placeholders, hints and POP3 options in provider order")
    func readsFullDocument() throws {
        let xml = """
            <clientConfig version="1.1"><emailProvider id="Example.com">
            <domain>example.com</domain><domain purpose="mx">mx.example.net</domain><domain>not a domain</domain>
            <displayName>Example</displayName>
            <incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
            <incomingServer type="pop3"><hostname>pop.%EMAILDOMAIN%</hostname><port>110</port><socketType>STARTTLS</socketType>
              <username>%EMAILLOCALPART%</username><authentication>secure</authentication><authentication>plain</authentication>
              <authentication>OAuth</authentication><authentication>unknown-method</authentication>
              <pop3><leaveMessagesOnServer>true</leaveMessagesOnServer><checkInterval minutes="15"/></pop3></incomingServer>
            <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
            <incomingServer type="exchange"><hostname>ex.example.com</hostname><port>443</port><socketType>SSL</socketType>
              <username>x</username><authentication>password-cleartext</authentication></incomingServer>
            <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
            <documentation url="https://help.example.com/"><descr lang="en">Help</descr></documentation>
            <unknownElement><deep/></unknownElement>
            </emailProvider>
            <enable visiturl="https://example.com/enable"><instruction lang="en">Turn POP on.</instruction></enable>
            </clientConfig>
            """
        let provider = try AutoconfigReader().read(Array(xml.utf8))
        #expect(provider.id == "example.com")
        #expect(provider.domains == ["example.com"])
        #expect(provider.mxDomains == ["mx.example.net"])
        #expect(provider.incoming.map(\.mailProtocol) == [.imap, .pop3, .pop3])
        #expect(provider.incoming[1].authentication == [.passwordEncrypted, .passwordCleartext, .oauth2])
        #expect(provider.incoming[1].minimumPollInterval == .seconds(900))
        #expect(provider.hints.enableURL == "https://example.com/enable")
        #expect(provider.hints.enableInstructions["en"] == "Turn POP on.")
        #expect(provider.hints.documentation == ["https://help.example.com/"])
        let servers = provider.servers(for: address, allowPlaintext: false)
        // POP3 first, implicit TLS before STARTTLS, IMAP last.
        #expect(
            servers.incoming.map(\.endpoint) == [
                Endpoint(host: "pop.example.com", port: 995, security: .tls),
                Endpoint(host: "pop.example.com", port: 110, security: .startTLS),
                Endpoint(host: "imap.example.com", port: 993, security: .tls),
            ])
        #expect(servers.incoming[1].username == "jo.doe")
        #expect(servers.incoming[0].username == "jo.doe@example.com")
        #expect(servers.outgoing.map(\.port) == [587])
    }

    @Test("invalid server sections are skipped; a file without any usable one is refused")
    func skipsInvalidSections() throws {
        func document(_ server: String) -> [UInt8] {
            Array(
                "<clientConfig><emailProvider id='x.com'><domain>x.com</domain>\(server)</emailProvider></clientConfig>"
                    .utf8)
        }
        let invalid = [
            "<incomingServer type='pop3'><hostname>h.x.com</hostname><port>0</port><socketType>SSL</socketType><username>u</username><authentication>plain</authentication></incomingServer>",
            "<incomingServer type='pop3'><hostname>h.x.com</hostname><port>995</port><socketType>bogus</socketType><username>u</username><authentication>plain</authentication></incomingServer>",
            "<incomingServer type='pop3'><hostname>h.x.com</hostname><port>995</port><socketType>SSL</socketType><authentication>plain</authentication></incomingServer>",
            "<incomingServer type='pop3'><hostname>h.x.com</hostname><port>995</port><socketType>SSL</socketType><username>u</username><authentication>magic</authentication></incomingServer>",
            "<incomingServer type='pop3'><hostname>bad host!</hostname><port>995</port><socketType>SSL</socketType><username>u</username><authentication>plain</authentication></incomingServer>",
            "<outgoingServer type='pop3'><hostname>h.x.com</hostname><port>995</port><socketType>SSL</socketType><username>u</username><authentication>plain</authentication></outgoingServer>",
        ]
        for server in invalid {
            #expect(throws: DiscoveryError.self) { try AutoconfigReader().read(document(server)) }
        }
        #expect(throws: DiscoveryError.self) { try AutoconfigReader().read(Array("<other/>".utf8)) }
        #expect(throws: DiscoveryError.self) { try AutoconfigReader().read(Array("<clientConfig/>".utf8)) }
    }

    @Test("plaintext servers are dropped unless allowed")
    func plaintext() throws {
        let xml = """
            <clientConfig><emailProvider id="x.com"><domain>x.com</domain>
            <incomingServer type="pop3"><hostname>pop.x.com</hostname><port>110</port><socketType>plain</socketType>
            <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
            </emailProvider></clientConfig>
            """
        let provider = try AutoconfigReader().read(Array(xml.utf8))
        #expect(provider.servers(for: address, allowPlaintext: false).incoming.isEmpty)
        #expect(provider.servers(for: address, allowPlaintext: true).incoming.first?.security == .insecurePlaintext)
    }

    @Test("a truncated file is a malformedXML error")
    func truncated() {
        let xml =
            "<clientConfig version=\"1.1\"><emailProvider id=\"broken.test\"><incomingServer type=\"pop3\"><hostname>mail.broken.test</hostname>"
        do {
            _ = try AutoconfigReader().read(Array(xml.utf8))
            Issue.record("accepted a truncated file")
        } catch let error as DiscoveryError {
            #expect(error.code == .malformedXML)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
