import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of its own for a test or a benchmark: `initdb` in a temporary folder, a loopback port, and
/// `stop()` removes it all. Debian's `postgresql` package provides the binaries; PostgreSQL refuses to run as root, so
/// as root they run as the `postgres` user (through `runuser`).
public final class TemporaryPostgres: @unchecked Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// `postgres://…` of the server's `postgres` database.
    public let url: String
    let port: Int
    let directory: URL
    let binaries: URL

    /// Starts a server. `durable: false` turns fsync off (tests); the benchmark keeps PostgreSQL's defaults.
    public init(durable: Bool = false) throws {
        guard let binaries = Self.binaries() else {
            throw Unavailable(description: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): `apt-get install postgresql`, as .ci/run does")
        }
        self.binaries = binaries
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-postgres-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            try Self.run(URL(fileURLWithPath: "/bin"), "chown", ["postgres", directory.path], asPostgres: false)
        }
        let data = directory.appendingPathComponent("data").path
        try Self.run(binaries, "initdb", ["-D", data, "-U", "exchange", "--auth=trust", "-E", "UTF8", "--no-sync"])
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1" + (durable ? "" : " -c fsync=off -c synchronous_commit=off")
            do {
                try Self.run(binaries, "pg_ctl", ["-D", data, "-w", "-t", "60", "-l", directory.appendingPathComponent("log").path, "-o", options, "start"])
                url = "postgres://exchange@127.0.0.1:\(port)/postgres"
                self.port = port
                return
            } catch {
                lastError = error
            }
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        throw Unavailable(description: "PostgreSQL did not start: \(lastError.map { "\($0)" } ?? "")\n\(log.suffix(2_000))")
    }

    /// Creates an empty database and returns its `postgres://…`.
    public func createDatabase(_ name: String) throws -> String {
        try Self.run(binaries, "createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "exchange", name])
        return "postgres://exchange@127.0.0.1:\(port)/\(name)"
    }

    /// Stops the server at once and removes its folder.
    public func stop() {
        _ = try? Self.run(binaries, "pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    static func binaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { root.appendingPathComponent($0).appendingPathComponent("bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// Runs a program (one of PostgreSQL's as `postgres` when this process is root) and waits for it.
    static func run(_ binaries: URL, _ program: String, _ arguments: [String], asPostgres: Bool = true) throws {
        let process = Process()
        let executable = binaries.appendingPathComponent(program).path
        if asPostgres && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Unavailable(description: "\(program) exited with \(process.terminationStatus): \(String(decoding: text, as: UTF8.self).suffix(2_000))")
        }
    }
}
