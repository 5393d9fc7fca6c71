import Foundation

/// The checked-out repository these tests inspect: files are read from the source tree, never from a build.
enum Repository {
    /// `Tests/DeploymentTests/Repository.swift` → the repository root, two levels up.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relativePath).path)
    }

    static func isDirectory(_ relativePath: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url(relativePath).path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// The documentation: README.md, then every markdown page of docs/ (paths relative to the root), sorted.
    static func markdownFiles() throws -> [String] {
        ["README.md"] + (try files(in: "docs")).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
    }

    /// Files of a directory (names only), sorted.
    static func files(in relativePath: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relativePath).path).sorted()
    }
}
