import AutoDiscovery
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail discover ADDRESS [--dns HOST:PORT] [--autoconfig-base URL] [--ispdb URL] [--offline]
/// [--probe] [--ca FILE] [--pin SHA256] [--json]`: the discovered settings, best first, each with
/// its source and whether the user must confirm it; progress lines while it works.
enum DiscoverCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest, valueOptions: ["dns", "autoconfig-base", "ispdb", "ca", "pin"],
            flagOptions: ["offline", "probe", "json"])
        let address = try arguments.requirePositionals(["ADDRESS"])[0]
        let json = arguments.flag("json")
        let configuration: DiscoveryConfiguration
        do {
            configuration = try makeConfiguration(arguments)
        } catch let error as DiscoveryError {
            throw CommandLineArguments.UsageError(error.detail)
        }
        do {
            var result: DiscoveryResult?
            for try await event in AutoDiscoverer(configuration: configuration).discover(address: address) {
                if case .found(let found) = event {
                    result = found
                } else if !json {
                    print(event)
                }
            }
            guard let result else { throw DiscoveryError(.noConfigurationFound, "no settings found for \(address)") }
            if json {
                print(try result.json())
            } else {
                print(result.textLines.joined(separator: "\n"))
            }
            // Linking uses IMAP when it is offered, else POP3 (the library's choice).
            if result.preferredIncoming == nil {
                if !json { printError("neither POP3 nor IMAP is offered for \(address)") }
                return .failure
            }
            return .success
        } catch let error as DiscoveryError {
            if error.code == .invalidAddress || error.code == .invalidArgument {
                throw CommandLineArguments.UsageError(error.description)
            }
            if json {
                Output.json(["error": ["code": error.code.description, "detail": error.detail, "suggestion": error.recoverySuggestion]])
            } else {
                printError("\(error)\nwhat to try: \(error.recoverySuggestion)")
            }
            return .failure
        }
    }

    /// The discovery settings from the command's options (shared with `add` and `audit`).
    static func makeConfiguration(_ arguments: CommandLineArguments) throws -> DiscoveryConfiguration {
        var policy = TLSPolicy()
        policy.additionalTrustedCAFiles = arguments.values("ca")
        for pin in arguments.values("pin") {
            guard let fingerprint = CertificateFingerprint(pin) else {
                throw CommandLineArguments.UsageError("--pin must be a SHA-256 fingerprint (64 hex digits)")
            }
            policy.pinnedFingerprints.insert(fingerprint)
        }
        return try DiscoveryConfiguration(
            dnsServer: arguments.value("dns"), autoconfigBase: arguments.value("autoconfig-base"),
            ispdbBase: arguments.value("ispdb"), offline: arguments.flag("offline"), probe: arguments.flag("probe"),
            tlsPolicy: policy)
    }
}
