import Testing

@testable import BookingBench

@Suite struct BlendTests {
    @Test func parsesWeightsInAnyOrderWithSpaces() throws {
        let blend = try Blend(parsing: "cancel=10, reserve = 70,list=20")
        #expect(blend.weights == [70, 20, 10])
        #expect(blend.total == 100)
        #expect(blend.description == "reserve=70,list=20,cancel=10")
    }

    @Test func omittedOperationsWeighNothing() throws {
        #expect(try Blend(parsing: "list=1").weights == [0, 1, 0])
    }

    @Test(arguments: ["", "reserve", "reserve=x", "reserve=-1", "buy=3", "reserve=1,reserve=2", "list=0", "cancel=5", "list=1,,"])
    func rejectsMalformedBlends(_ text: String) {
        #expect(throws: Blend.Invalid.self) { try Blend(parsing: text) }
    }

    @Test func ticketsMapToOperationsInProportion() throws {
        let blend = try Blend(parsing: "reserve=70,list=20,cancel=10")
        var counts: [Operation: Int] = [:]
        for ticket in 0..<blend.total { counts[blend.operation(forTicket: ticket), default: 0] += 1 }
        #expect(counts == [.reserve: 70, .list: 20, .cancel: 10])
        #expect(blend.operation(forTicket: 0) == .reserve)
        #expect(blend.operation(forTicket: 69) == .reserve)
        #expect(blend.operation(forTicket: 70) == .list)
        #expect(blend.operation(forTicket: 99) == .cancel)
    }

    @Test func zeroWeightOperationsAreNeverDrawn() throws {
        let blend = try Blend(parsing: "reserve=0,list=3")
        #expect((0..<blend.total).allSatisfy { blend.operation(forTicket: $0) == .list })
    }
}
