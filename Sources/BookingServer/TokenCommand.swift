import ArgumentParser
import BookingAPI
import BookingTokens
import Foundation

/// `BookingServer token USER`: a development token for the token mode, signed with
/// `AUTH_JWT_SECRET` (HS256) by jwt-kit, as an identity provider would issue it.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print an HS256 JWT for a user, signed with AUTH_JWT_SECRET (for development and load tests)."
    )

    @Argument(help: "The user the token is for (its sub); leave out with --admin for an admin token without a user.")
    var user: String?

    @Option(help: "Minutes until the token expires.")
    var minutes = 60

    @Flag(help: "Give the token the booking-admin role.")
    var admin = false

    func validate() throws {
        guard user != nil || admin else { throw ArgumentParser.ValidationError("name a user, or pass --admin") }
        if let user, (try? Validate.userID(user)) == nil {
            throw ArgumentParser.ValidationError("the user must be 1 to 128 characters with no control character")
        }
        guard (1...525_600).contains(minutes) else { throw ArgumentParser.ValidationError("--minutes must be from 1 to 525600") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(environment: environment)
        } catch {
            throw ArgumentParser.ValidationError("\(error)")
        }
        // ServerConfiguration has refused a secret under 32 bytes already.
        guard let secret = configuration.authJWTSecret else { throw ArgumentParser.ValidationError("AUTH_JWT_SECRET is not set") }
        let issuer = await DevelopmentIssuer(
            secret: secret, issuer: configuration.authJWTIssuer, audience: configuration.authJWTAudience
        )
        print(try await issuer.token(subject: user, admin: admin, lifetime: TimeInterval(minutes * 60)))
    }
}
