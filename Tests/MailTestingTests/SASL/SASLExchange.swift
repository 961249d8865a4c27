import Foundation
import MailAuth
import MailTesting

/// Drives a client mechanism against a server mechanism over base64 text, as POP3/SMTP would:
/// the client side encodes with MailAuth's `SASLCodec`, the server side with Foundation, so the
/// two codecs check each other.
struct SASLExchange {
    enum Outcome: Equatable {
        case success(user: String)
        case failure(SASLServerFailure)
    }

    /// The base64 lines each side sent, for transcript assertions.
    private(set) var clientLines: [String] = []
    private(set) var serverLines: [String] = []
    /// The OAuth error the client acknowledged, if any.
    private(set) var acknowledgedError: OAuth2ErrorChallenge?

    mutating func run(
        client: inout some SASLMechanism, server: inout some SASLServerMechanism, initialResponseAllowed: Bool = true
    ) throws -> Outcome {
        let initial = try client.start(initialResponseAllowed: initialResponseAllowed)
        if let initial { clientLines.append(SASLCodec.encodeInitialResponse(initial)) }
        var step = server.start(
            initialResponse: try initial.map { try fromClient(SASLCodec.encodeInitialResponse($0)) })
        for _ in 0..<10 {
            switch step {
            case .challenge(let bytes):
                let line = Data(bytes).base64EncodedString()
                serverLines.append(line)
                let response: [UInt8]
                switch try client.respond(to: try SASLCodec.decode(line)) {
                case .respond(let bytes):
                    response = bytes
                case .acknowledgeError(let bytes, let error):
                    acknowledgedError = error
                    response = bytes
                }
                let encoded = SASLCodec.encode(response)
                clientLines.append(encoded)
                step = server.respond(try fromClient(encoded))
            case .success(let user):
                try client.finish(additionalData: nil)
                return .success(user: user)
            case .failure(let failure):
                return .failure(failure)
            }
        }
        throw ExchangeDidNotEnd()
    }

    private func fromClient(_ line: String) throws -> [UInt8] {
        if line == "=" { return [] }
        guard let data = Data(base64Encoded: line) else { throw ClientSentInvalidBase64() }
        return Array(data)
    }

    struct ExchangeDidNotEnd: Error {}
    struct ClientSentInvalidBase64: Error {}
}
