@testable import BookingAPI

/// The validation error `body` raises, or `nil` if it passes.
func validationFailure<T>(_ body: () throws(ValidationError) -> T) -> ValidationError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
