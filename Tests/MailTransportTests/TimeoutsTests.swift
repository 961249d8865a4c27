import MailTransport
import Testing

@Suite("Timeouts")
struct TimeoutsTests {
    @Test("an exchange may take the read timeout plus its bytes at the minimum transfer rate")
    func exchangeLimit() {
        let timeouts = Timeouts(read: .seconds(60), minimumTransferRate: 16_384)
        #expect(timeouts.exchangeLimit(received: 0) == .seconds(60))
        #expect(timeouts.exchangeLimit(received: 16_384) == .seconds(61))
        #expect(timeouts.exchangeLimit(received: 40 * 16_384) == .seconds(100))
        #expect(timeouts.exchangeLimit(received: -5) == .seconds(60))
    }

    @Test("the defaults: 60 s per read, at least 16 KiB/s per exchange; a rate below 1 counts as 1")
    func defaults() {
        #expect(Timeouts.default.minimumTransferRate == 16 << 10)
        #expect(Timeouts.all(.seconds(5)).minimumTransferRate == Timeouts.defaultMinimumTransferRate)
        #expect(Timeouts(minimumTransferRate: 0).minimumTransferRate == 1)
        // A slow-loris greeting at the line limit (8,192 bytes) is cut after about a minute.
        #expect(Timeouts.default.exchangeLimit(received: 8192) == .milliseconds(60_500))
    }
}
