extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT on this connection. Any error, from the opening
    /// statements, `body` or COMMIT, rolls the transaction back and is rethrown.
    ///
    /// `opening` statements go out in BEGIN's own round trip and `body` gets their results, in
    /// order: a transaction that starts with a read (take a batch, lock a row) saves one round
    /// trip. When no statement depends on another's result, ``pipeline(_:)`` runs them all as
    /// one transaction in a single round trip instead.
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        opening: [PostgresQuery] = [],
        _ body: ([PostgresQueryResult]) async throws -> Result
    ) async throws -> Result {
        do {
            let opened = try await pipeline([PostgresQuery("BEGIN")] + opening).dropFirst()
            let result = try await body(Array(opened))
            _ = try await query(PostgresQuery("COMMIT"))
            return result
        } catch {
            // A broken connection rolled back by itself when it closed; the pool drops it.
            if isUsable { _ = try? await query(PostgresQuery("ROLLBACK")) }
            throw error
        }
    }
}
