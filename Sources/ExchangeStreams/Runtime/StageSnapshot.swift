import Foundation

/// A task's state together with the input positions it corresponds to — what the changelog stores.
///
/// Encoded as one UTF-8 JSON header line, `\n`, then the opaque state bytes (an engine or analytics snapshot).
public struct StageSnapshot: Sendable, Equatable {
    public var task: String
    public var version: Int64
    public var positions: [String: Int64]
    public var marks: [String: Int64]
    public var state: [UInt8]

    public init(task: String, version: Int64, positions: [String: Int64], marks: [String: Int64], state: [UInt8]) {
        self.task = task
        self.version = version
        self.positions = positions
        self.marks = marks
        self.state = state
    }

    private struct Header: Codable {
        var format: Int
        var task: String
        var version: Int64
        var positions: [String: Int64]
        var marks: [String: Int64]
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = Header(format: 1, task: task, version: version, positions: positions, marks: marks)
        let headerBytes = try encoder.encode(header)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerBytes.count + 1 + state.count)
        bytes.append(contentsOf: headerBytes)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: state)
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> StageSnapshot {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            throw StageError("snapshot has no header line")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[..<newline]))
        } catch {
            throw StageError("snapshot header does not decode: \(error)")
        }
        guard header.format == 1 else { throw StageError("snapshot format \(header.format) is not supported") }
        return StageSnapshot(
            task: header.task, version: header.version, positions: header.positions, marks: header.marks,
            state: Array(bytes[(newline + 1)...]))
    }
}

/// Writes snapshots to and finds them in a compacted changelog partition.
///
/// Version v of task T is written as chunks keyed `T#v#writer#i`, then — once the chunks are acknowledged — a
/// manifest keyed `T`, then tombstones for the writer's previous chunks. The writer id keeps two instances that own
/// the same task for a moment (a zombie during a rebalance) from overwriting each other's chunks.
public enum SnapshotChangelog {
    public static let chunkSize = 512 * 1024

    struct Manifest: Codable, Equatable {
        var version: Int64
        var writer: String
        var chunks: Int
        var bytes: Int
        var crc32: UInt32
    }

    /// The records of one snapshot: chunks first, then the manifest (to be sent only after the chunks are acked).
    public static func records(
        for snapshot: StageSnapshot, writer: String, topic: String, partition: Int32
    ) throws -> (chunks: [OutputRecord], manifest: OutputRecord) {
        let payload = try snapshot.encoded()
        var chunks: [OutputRecord] = []
        var start = 0
        repeat {
            let end = min(start + chunkSize, payload.count)
            let key = chunkKey(task: snapshot.task, version: snapshot.version, writer: writer, index: chunks.count)
            let value = start == 0 && end == payload.count ? payload : Array(payload[start..<end])
            chunks.append(OutputRecord(topic: topic, partition: partition, key: key, value: value))
            start = end
        } while start < payload.count
        let manifest = Manifest(
            version: snapshot.version, writer: writer, chunks: chunks.count, bytes: payload.count,
            crc32: CRC32.checksum(payload))
        let value = Array(try JSONEncoder().encode(manifest))
        return (chunks, OutputRecord(topic: topic, partition: partition, key: snapshot.task, value: value))
    }

    /// Tombstones retiring the chunks of an earlier snapshot by the same writer.
    public static func tombstones(
        task: String, version: Int64, writer: String, chunks: Int, topic: String, partition: Int32
    ) -> [OutputRecord] {
        (0..<chunks).map {
            OutputRecord(
                topic: topic, partition: partition,
                key: chunkKey(task: task, version: version, writer: writer, index: $0), value: nil)
        }
    }

    /// The chunks of one written snapshot.
    public struct ChunkSet: Sendable, Equatable {
        public var version: Int64
        public var writer: String
        public var chunks: Int
    }

    static func chunkKey(task: String, version: Int64, writer: String, index: Int) -> String {
        "\(task)#\(version)#\(writer)#\(index)"
    }

    /// Finds the newest complete snapshot of `task` among the records of a changelog partition (read from its
    /// earliest offset to its end). Returns the snapshot and where its chunks are (so they can be retired later).
    /// Throws when manifests exist but none is complete: starting from scratch then would silently lose state.
    public static func latest(task: String, in records: [InputRecord]) throws -> (StageSnapshot, ChunkSet)? {
        var manifests: [Manifest] = []
        var chunks: [String: [UInt8]] = [:]
        let chunkPrefix = task + "#"
        for record in records {
            guard let keyBytes = record.key, let key = String(validating: keyBytes, as: UTF8.self) else { continue }
            if key == task {
                if let value = record.value, let manifest = try? JSONDecoder().decode(Manifest.self, from: Data(value)) {
                    manifests.append(manifest)
                }
            } else if key.hasPrefix(chunkPrefix) {
                chunks[key] = record.value.map(Array.init)
            }
        }
        if manifests.isEmpty { return nil }
        for manifest in manifests.reversed() {
            var payload: [UInt8] = []
            var complete = true
            for index in 0..<manifest.chunks {
                let key = chunkKey(task: task, version: manifest.version, writer: manifest.writer, index: index)
                guard let chunk = chunks[key] else {
                    complete = false
                    break
                }
                payload.append(contentsOf: chunk)
            }
            guard complete, payload.count == manifest.bytes, CRC32.checksum(payload) == manifest.crc32,
                let snapshot = try? StageSnapshot.decode(payload), snapshot.task == task
            else { continue }
            return (snapshot, ChunkSet(version: manifest.version, writer: manifest.writer, chunks: manifest.chunks))
        }
        throw StageError(
            "changelog has \(manifests.count) snapshot manifest(s) for \(task) but none is complete; refusing to start "
                + "from scratch (that would re-apply or lose input). Inspect the changelog topic.")
    }
}

/// CRC-32 (IEEE) for snapshot integrity checks, eight bytes a step (slicing-by-8): the stage computes it on its
/// processing path for every snapshot, which for a matcher is hundreds of kilobytes.
enum CRC32 {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[index] = crc
        }
        for index in 0..<256 {
            for k in 1..<8 {
                let previous = tables[(k - 1) * 256 + index]
                tables[k * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { buffer in
                var crc: UInt32 = 0xFFFF_FFFF
                var i = 0
                let count = buffer.count
                while i + 8 <= count {
                    let low = crc ^ (UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8 | UInt32(buffer[i + 2]) << 16
                        | UInt32(buffer[i + 3]) << 24)
                    crc = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                        ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                        ^ t[3 * 256 + Int(buffer[i + 4])] ^ t[2 * 256 + Int(buffer[i + 5])]
                        ^ t[1 * 256 + Int(buffer[i + 6])] ^ t[Int(buffer[i + 7])]
                    i += 8
                }
                while i < count {
                    crc = t[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
                    i += 1
                }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }
}
