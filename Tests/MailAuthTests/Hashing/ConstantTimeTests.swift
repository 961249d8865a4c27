import MailAuth
import Testing

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test("equal bytes compare equal")
    func equal() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(ConstantTime.equals([], []))
    }

    @Test("a difference in any position, or in length, compares unequal")
    func unequal() {
        #expect(!ConstantTime.equals([1, 2, 3], [0, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
    }
}
