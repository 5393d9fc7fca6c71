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
        let data = directory.appendingPathComponent("data").path
        do {
            if getuid() == 0 {
                try Self.run(URL(fileURLWithPath: "/bin"), "chown", ["postgres", directory.path], asPostgres: false)
            }
            try Self.run(binaries, "initdb", ["-D", data, "-U", "exchange", "--auth=trust", "-E", "UTF8", "--no-sync"])
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
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

    /// `init(durable:)` on a thread of its own: initdb and pg_ctl take seconds, which an async test must not spend
    /// on the cooperative pool every other test in the process shares (two threads on two cores).
    public static func start(durable: Bool = false) async throws -> TemporaryPostgres {
        try await onThreadOfItsOwn { try TemporaryPostgres(durable: durable) }
    }

    /// `createDatabase(_:)` on a thread of its own.
    public func newDatabase(_ name: String) async throws -> String {
        try await onThreadOfItsOwn { try self.createDatabase(name) }
    }

    /// `stop()` on a thread of its own.
    public func shutDown() async {
        _ = try? await onThreadOfItsOwn { self.stop() }
    }


    /// Creates an empty database and returns its `postgres://…`.
    public func createDatabase(_ name: String) throws -> String {
        try Self.run(binaries, "createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "exchange", name])
        return "postgres://exchange@127.0.0.1:\(port)/\(name)"
    }

    /// `VACUUM (ANALYZE)` of every table of the database `url` names, as autovacuum leaves tables a while after
    /// their writes: the visibility map set, so index-only scans read no heap.
    public func vacuum(_ url: String) throws {
        let name = String(url.split(separator: "/").last ?? "")
        try Self.run(binaries, "vacuumdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "exchange", "--analyze", "--quiet", name])
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
        // Through a shell that closes every descriptor above stderr first: the server that pg_ctl leaves running
        // would otherwise hold those this process's Process machinery waits on, and the wait would never end.
        let closing = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done; exec "$0" "$@""#
        let command = ["/bin/bash", "-c", closing, executable] + arguments
        if asPostgres && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--"] + command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        // Output to a file, not a pipe: the server pg_ctl starts inherits the descriptor, and a pipe would never end.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-postgres-\(UUID().uuidString).out").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil), let output = FileHandle(forWritingAtPath: outputPath) else {
            throw Unavailable(description: "cannot write \(outputPath)")
        }
        defer {
            try? output.close()
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw Unavailable(description: "\(program) exited with \(process.terminationStatus): \(text.suffix(2_000))")
        }
    }
}
