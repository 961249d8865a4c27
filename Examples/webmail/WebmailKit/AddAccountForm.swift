import AccountLinking
import FolderRouting
import MailMessage
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the "Add an e-mail account" form holds, the password excepted: the address, the
/// "Advanced options" (user name, POP3 server, port, SSL, leave copies, outgoing server), and where
/// the mail goes with which marker.
struct AddAccountForm: Sendable, Equatable {
    var address = ""
    var user = ""
    var host = ""
    var port = ""
    var security = "tls"
    var smtpHost = ""
    var smtpPort = ""
    var smtpSecurity = "tls"
    var keepCopies = true
    /// `new` (a folder named after the account), `inbox`, or `folder` (``folder``).
    var destination = "new"
    var folder = ""
    var marker = "blue"
    /// Whether "Advanced options" were opened (their fields count only then).
    var advanced = false

    init() {}

    init(_ request: WebRequest) {
        let value = { (name: String) in request.formValue(name)?.trimmingWhiteSpace() ?? "" }
        address = value("address")
        user = value("user")
        host = value("host")
        port = value("port")
        security = value("security").isEmpty ? "tls" : value("security")
        smtpHost = value("smtp-host")
        smtpPort = value("smtp-port")
        smtpSecurity = value("smtp-security").isEmpty ? "tls" : value("smtp-security")
        keepCopies = request.formValue("keep-copies") == "on"
        destination = value("destination").isEmpty ? "new" : value("destination")
        folder = value("folder")
        marker = value("marker").isEmpty ? "blue" : value("marker")
        advanced = !host.isEmpty
    }

    /// The form prefilled from settings that were found (for the Advanced options after a failure).
    func prefilled(with settings: DiscoveredAccountSettings?) -> AddAccountForm {
        guard let settings, host.isEmpty else { return self }
        var form = self
        form.user = settings.incoming.user
        form.host = settings.incoming.host
        form.port = String(settings.incoming.port)
        form.security = ServerSettings.name(of: settings.incoming.security)
        if let outgoing = settings.outgoing {
            form.smtpHost = outgoing.host
            form.smtpPort = String(outgoing.port)
            form.smtpSecurity = ServerSettings.name(of: outgoing.security)
        }
        return form
    }

    /// Why the form cannot be used, in words; nil when it can.
    var problem: String? {
        if address.isEmpty { return "Type the e-mail address to add." }
        if !host.isEmpty, Int(port).map({ (1...65535).contains($0) }) != true {
            return "The POP3 port must be a number from 1 to 65535."
        }
        if !host.isEmpty, ServerSettings.security(named: security) == nil {
            return "Choose the POP3 connection security."
        }
        if !smtpHost.isEmpty, Int(smtpPort).map({ (1...65535).contains($0) }) != true {
            return "The outgoing (SMTP) port must be a number from 1 to 65535."
        }
        if MarkerColor(marker) == nil { return "Choose a marker colour." }
        if destination == "folder", (try? Folder(path: folder)) == nil {
            return "Choose or name the folder for this account's mail."
        }
        return nil
    }

    /// The flow's options: manual settings when the Advanced options were filled in.
    func linkOptions(acceptDiscovered: Bool = false) -> AccountLinker.LinkOptions {
        let login = user.isEmpty ? address : user
        var options = AccountLinker.LinkOptions(acceptDiscoveredSettings: acceptDiscovered)
        if !host.isEmpty, let port = Int(port), let security = ServerSettings.security(named: security) {
            options.incoming = ServerSettings(host: host, port: port, security: security, user: login)
        }
        if !smtpHost.isEmpty, let port = Int(smtpPort), let security = ServerSettings.security(named: smtpSecurity) {
            options.outgoing = ServerSettings(host: smtpHost, port: port, security: security, user: login)
        }
        options.copies = keepCopies ? .keep : .delete
        options.marker = MarkerColor(marker) ?? .blue
        switch destination {
        case "inbox": options.destination = .inbox
        case "folder": options.destination = (try? Folder(path: folder)).map { .folder($0) } ?? .newFolder
        default: options.destination = .newFolder
        }
        return options
    }
}
