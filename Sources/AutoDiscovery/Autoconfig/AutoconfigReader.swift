import MailTransport

/// Reads config-v1.1 documents (draft-ietf-mailmaint-autoconfig §"Config file
/// format") into ``ProviderConfiguration`` values.
///
/// Rules: unknown elements and attributes are ignored; a server section is used only with a
/// valid host name, a port in 1…65535, a supported `socketType` (the first one listed wins),
/// a `username`, and at least one authentication method we know; the document is refused
/// only when no usable server remains. `enable` is accepted both inside `emailProvider` and
/// directly under `clientConfig` (the ISPDB has both).
struct AutoconfigReader {
    /// Limits for the XML underneath.
    var limits = XMLReader.Limits()

    /// Reads one `clientConfig` document.
    func read(_ bytes: [UInt8]) throws -> ProviderConfiguration {
        let root = try XMLReader(limits: limits).parse(bytes)
        return try read(root)
    }

    /// Reads a parsed `clientConfig` element.
    func read(_ root: XMLElement) throws -> ProviderConfiguration {
        guard root.name == "clientConfig" else {
            throw DiscoveryError(
                .invalidConfiguration, "the root element is <\(root.name.prefix(40))>, not <clientConfig>")
        }
        guard let provider = root.child("emailProvider") else {
            throw DiscoveryError(.invalidConfiguration, "no <emailProvider>")
        }
        var domains: [String] = []
        var mxDomains: [String] = []
        for element in provider.children(named: "domain") {
            let name = element.text.trimmingWhitespace().lowercased()
            guard NormalizedAddress.asciiDomain(name) == name else { continue }
            if element.attributes["purpose"] == "mx" { mxDomains.append(name) } else { domains.append(name) }
        }
        let incoming = provider.children(named: "incomingServer").compactMap { server(from: $0, outgoing: false) }
        let outgoing = provider.children(named: "outgoingServer").compactMap { server(from: $0, outgoing: true) }
        var hints = ProviderHints()
        if let enable = provider.child("enable") ?? root.child("enable") {
            hints.enableURL = enable.attributes["visiturl"].flatMap(Self.httpURL)
            for instruction in enable.children(named: "instruction") {
                hints.enableInstructions[instruction.attributes["lang"] ?? "en"] = instruction.text.trimmingWhitespace()
            }
        }
        hints.documentation = provider.children(named: "documentation").compactMap {
            $0.attributes["url"].flatMap(Self.httpURL)
        }
        if let own = provider.child("hints") ?? root.child("hints") {
            hints.requiresAppPassword = own.attributes["appPassword"] == "true"
            hints.requiresOAuth = own.attributes["oauthOnly"] == "true"
            hints.popUnavailable = own.attributes["popUnavailable"] == "true"
            hints.appPasswordURL = own.attributes["appPasswordURL"].flatMap(Self.httpURL)
            let note = own.text.trimmingWhitespace()
            hints.note = note.isEmpty ? nil : note
        }
        if let element = provider.child("oAuth2") ?? root.child("oAuth2") {
            hints.oauth = ProviderOAuth.read(element, required: hints.requiresOAuth)
            if hints.oauth?.isRequired == true { hints.requiresOAuth = true }
        }
        let id = provider.attributes["id"].map { $0.trimmingWhitespace().lowercased() } ?? domains.first ?? ""
        guard !incoming.isEmpty || !outgoing.isEmpty || hints.popUnavailable else {
            throw DiscoveryError(.invalidConfiguration, "no usable server in the configuration of \(id.prefix(60))")
        }
        return ProviderConfiguration(
            id: id, domains: domains, mxDomains: mxDomains, displayName: provider.value("displayName"),
            incoming: incoming, outgoing: outgoing, hints: hints)
    }

    private func server(from element: XMLElement, outgoing: Bool) -> ProviderConfiguration.ServerTemplate? {
        let type = element.attributes["type"]?.lowercased() ?? ""
        let mailProtocol: DiscoveredServer.MailProtocol
        switch (type, outgoing) {
        case ("pop3", false): mailProtocol = .pop3
        case ("imap", false): mailProtocol = .imap
        case ("smtp", true): mailProtocol = .smtp
        default: return nil
        }
        guard let hostname = element.value("hostname"), !hostname.isEmpty,
            Self.isPlausibleHost(hostname.lowercased()),
            let portText = element.value("port"), let port = Int(portText), (1...65535).contains(port),
            let username = element.value("username"), !username.contains(where: { $0 == "\r" || $0 == "\n" })
        else { return nil }
        var security: Endpoint.Security?
        for socketType in element.children(named: "socketType") {
            switch socketType.text.trimmingWhitespace().uppercased() {
            case "SSL", "TLS": security = .tls
            case "STARTTLS": security = .startTLS
            case "PLAIN": security = .insecurePlaintext
            default: continue
            }
            break
        }
        guard let security else { return nil }
        var methods: [DiscoveredServer.Authentication] = []
        for auth in element.children(named: "authentication") where auth.attributes["system"] == nil {
            if let method = DiscoveredServer.Authentication(configValue: auth.text), !methods.contains(method) {
                methods.append(method)
            }
        }
        guard !methods.isEmpty else { return nil }
        var interval: Duration?
        var leave: Bool?
        if let pop3 = element.child("pop3") {
            if let minutes = pop3.child("checkInterval")?.attributes["minutes"].flatMap({ Int($0) }),
                (1...1440).contains(minutes)
            {
                interval = .seconds(minutes * 60)
            }
            leave = pop3.value("leaveMessagesOnServer").map { $0 == "true" }
        }
        return ProviderConfiguration.ServerTemplate(
            mailProtocol: mailProtocol, hostname: hostname, port: port, security: security, username: username,
            authentication: methods, minimumPollInterval: interval, leaveMessagesOnServer: leave)
    }

    /// A host name, an IP literal, or a host name with the `%EMAILDOMAIN%` placeholder.
    static func isPlausibleHost(_ host: String) -> Bool {
        if TLSLiteral.isIP(host) { return true }
        let name = host.replacingAll("%emaildomain%", with: "example.com")
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            NormalizedAddress.isValidLabel(String($0))
        } || name == "localhost"
    }

    /// The URL when it is http(s) and has no control characters.
    static func httpURL(_ text: String) -> String? {
        let url = text.trimmingWhitespace()
        guard url.hasPrefix("https://") || url.hasPrefix("http://"),
            !url.unicodeScalars.contains(where: { $0.value < 0x21 })
        else { return nil }
        return url
    }
}
