public import Foundation
import JWTKit
import StrictJSON

extension TokenClaims {
    /// Why a token's payload is not claims the server can read.
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The claims of a token's payload, decoded by the project's strict parser: what jwt-kit's
    /// Codable decoding of ``TokenClaims`` reads, at a fraction of its cost (docs/architecture.md,
    /// "Identity"). The types are jwt-kit's: `exp` (required), `nbf` and `iat` are numbers of
    /// seconds since 1970; `iss` and `sub` strings; `aud` a string or an array of strings; `roles`
    /// an array of strings. A member that is `null` is absent; other members are ignored; a member
    /// of another type, or a payload that is not one JSON object, makes the token malformed.
    public init(json bytes: some Collection<UInt8>) throws(Malformed) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw Malformed(description: "payload: \(error)")
        }
        guard case .object(let members) = document else { throw Malformed(description: "payload is \(document.kindDescription)") }
        func present(_ key: String) -> JSONValue? {
            guard let value = members[key], value != .null else { return nil }
            return value
        }
        func date(_ key: String) throws(Malformed) -> Date? {
            guard let value = present(key) else { return nil }
            guard case .number(let number) = value, let seconds = Double(number.literal), seconds.isFinite else {
                throw Malformed(description: "\(key) is \(value.kindDescription), not a number of seconds")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        func string(_ value: JSONValue, _ key: String) throws(Malformed) -> String {
            guard case .string(let text) = value else { throw Malformed(description: "\(key) is \(value.kindDescription), not a string") }
            return text
        }
        func strings(_ value: JSONValue, _ key: String) throws(Malformed) -> [String] {
            guard case .array(let elements) = value else { throw Malformed(description: "\(key) is \(value.kindDescription), not an array") }
            var texts: [String] = []
            texts.reserveCapacity(elements.count)
            for element in elements { texts.append(try string(element, key)) }
            return texts
        }
        guard let expiry = try date("exp") else { throw Malformed(description: "exp is missing") }
        exp = ExpirationClaim(value: expiry)
        nbf = try date("nbf").map(NotBeforeClaim.init(value:))
        iat = try date("iat").map(IssuedAtClaim.init(value:))
        iss = try present("iss").map { value throws(Malformed) in IssuerClaim(value: try string(value, "iss")) }
        sub = try present("sub").map { value throws(Malformed) in SubjectClaim(value: try string(value, "sub")) }
        aud = try present("aud").map { value throws(Malformed) in
            if case .string(let single) = value { return AudienceClaim(value: [single]) }
            return AudienceClaim(value: try strings(value, "aud"))
        }
        roles = try present("roles").map { value throws(Malformed) in try strings(value, "roles") }
    }
}
