import Synchronization

/// A bounded map of what was recently worked out, for the token mode's repeated work: the claims
/// of tokens whose signature has been verified, the fields of the few distinct token headers, the
/// headers jwt-kit decodes. Two generations: entries go into the current one; when it holds
/// `generation` entries it becomes the previous one (the older previous is dropped), and a hit in
/// the previous one moves the entry forward. At most `2 × generation` entries, each found in
/// O(1), the least recently used dropped first, one lock held for a lookup.
///
/// Inlinable, so that its users' modules specialize it for their keys and values: used
/// generically across the module boundary, each lookup of a token's claims went through the
/// types' metadata and value witnesses.
public final class TwoGenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline
    struct Generations {
        @usableFromInline var current: [Key: Value] = [:]
        @usableFromInline var previous: [Key: Value] = [:]

        @inlinable init() {}
    }

    public let generation: Int
    @usableFromInline let state = Mutex(Generations())

    @inlinable
    public init(generation: Int) {
        precondition(generation > 0)
        self.generation = generation
    }

    @inlinable
    public func value(for key: Key) -> Value? {
        state.withLock { state in
            if let value = state.current[key] { return value }
            guard let value = state.previous.removeValue(forKey: key) else { return nil }
            Self.insert(key, value, into: &state, generation: generation)
            return value
        }
    }

    @inlinable
    public func insert(_ value: Value, for key: Key) {
        state.withLock { Self.insert(key, value, into: &$0, generation: generation) }
    }

    @inlinable
    public var count: Int { state.withLock { $0.current.count + $0.previous.count } }

    @inlinable
    static func insert(_ key: Key, _ value: Value, into state: inout Generations, generation: Int) {
        if state.current.count >= generation, state.current[key] == nil {
            state.previous = state.current
            state.current = Dictionary(minimumCapacity: generation)
        }
        state.current[key] = value
    }
}
