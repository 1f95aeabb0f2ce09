import Configuration

/// The environment variables that give BookingBench's options their defaults (`DATABASE_URL`,
/// `REDIS_URL`, `ADMIN_TOKEN`), read through swift-configuration as the server and the worker
/// read theirs.
enum BenchEnvironment {
    static let variables = ConfigReader(provider: EnvironmentVariablesProvider())
}
