import ArgumentParser

@main
struct BookingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load generator and verifier for the seat reservation engine.",
        subcommands: [
            FlashSaleCommand.self, CheckoutCommand.self, RejectionsCommand.self, ListCommand.self, MixedCommand.self, BareCommand.self,
            ClientsBenchmark.self,
        ]
    )
}
