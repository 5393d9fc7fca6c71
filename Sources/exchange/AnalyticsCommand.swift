import ArgumentParser

struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analytics", abstract: "Replays trades through the window analytics (newline-delimited JSON on stdin).")

    func run() async throws {
        throw ValidationError("'exchange analytics' is not built yet")
    }
}
