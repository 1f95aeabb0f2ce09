/// A command and its arguments: `["GET", .string(key)]` or `RedisCommand("INCR", .string(key))`.
public struct RedisCommand: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var arguments: [RedisArgument]

    public init(arguments: [RedisArgument]) { self.arguments = arguments }
    public init(_ arguments: RedisArgument...) { self.arguments = arguments }
    public init(arrayLiteral elements: RedisArgument...) { self.arguments = elements }
}
