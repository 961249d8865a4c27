import MailTesting

/// A server that sends one fixed challenge whatever happens, to test the client's defences.
struct SASLScriptedServer: SASLServerMechanism {
    let name = "SCRIPTED"
    var challenge: [UInt8]
    mutating func start(initialResponse: [UInt8]?) -> SASLServerStep { .challenge(challenge) }
    mutating func respond(_ response: [UInt8]) -> SASLServerStep { .challenge(challenge) }
}
