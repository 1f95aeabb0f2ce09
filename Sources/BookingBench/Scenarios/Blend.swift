/// The mix of a `mixed` run, e.g. `reserve=70,list=20,cancel=10`: relative weights of the
/// operations a request is drawn from.
struct Blend: Sendable, Equatable, CustomStringConvertible {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let operations: [Operation] = [.reserve, .list, .cancel]

    /// Weights in the order of ``operations``.
    let weights: [Int]

    var total: Int { weights.reduce(0, +) }

    init(parsing text: String) throws(Invalid) {
        var weights = Array(repeating: 0, count: Self.operations.count)
        var seen = Set<String>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", omittingEmptySubsequences: false)
            let name = pair.first.map { String($0).trimmingSpaces() } ?? ""
            guard pair.count == 2, let index = Self.operations.firstIndex(where: { $0.rawValue == name }) else {
                throw Invalid(description: "blend part \"\(part)\": expected reserve=N, list=N or cancel=N")
            }
            guard let weight = Int(String(pair[1]).trimmingSpaces()), (0...1_000_000).contains(weight) else {
                throw Invalid(description: "blend part \"\(part)\": the weight must be a whole number from 0 to 1000000")
            }
            guard seen.insert(name).inserted else { throw Invalid(description: "blend names \(name) twice") }
            weights[index] = weight
        }
        guard weights.reduce(0, +) > 0 else { throw Invalid(description: "blend \"\(text)\": every weight is 0") }
        guard weights[0] > 0 || weights[2] == 0 else {
            throw Invalid(description: "blend \"\(text)\": cancel needs reserve (only the caller's own bookings are cancelled)")
        }
        self.weights = weights
    }

    /// The operation of a ticket drawn uniformly from `0..<total`.
    func operation(forTicket ticket: Int) -> Operation {
        var remaining = ticket
        for (index, weight) in weights.enumerated() {
            if remaining < weight { return Self.operations[index] }
            remaining -= weight
        }
        return Self.operations[weights.lastIndex(where: { $0 > 0 })!]
    }

    var description: String {
        zip(Self.operations, weights).map { "\($0.rawValue)=\($1)" }.joined(separator: ",")
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
