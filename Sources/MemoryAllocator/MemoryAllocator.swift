import CJemalloc

/// The process's `malloc`, linked from Debian's `libjemalloc-dev`.
///
/// Every stage allocates and frees small records on several threads at once (Swift tasks, librdkafka's threads).
/// glibc's malloc spent about 15 % of the pipeline benchmark's CPU in its arena locks, frees and consolidation;
/// jemalloc's thread caches gave 109,000–112,600 orders/s where glibc gave 72,000–75,000 (`exchange-bench pipeline`).
/// Linking the library is what replaces `malloc`; this type reports it and lets tests prove it is in charge.
public enum MemoryAllocator {
    /// jemalloc's version string, e.g. `5.3.0-0-g54eaed1…`; `nil` if the control interface does not answer.
    public static var version: String? {
        var pointer: UnsafePointer<CChar>? = nil
        var length = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &pointer, &length, nil, 0) == 0, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// Bytes jemalloc has handed to the calling thread so far (a monotonic counter).
    ///
    /// If it grows when the thread allocates, jemalloc, not glibc, is serving `malloc`.
    public static var bytesAllocatedByCurrentThread: UInt64? {
        var bytes: UInt64 = 0
        var length = MemoryLayout<UInt64>.size
        guard mallctl("thread.allocated", &bytes, &length, nil, 0) == 0 else { return nil }
        return bytes
    }

    /// One line for start-up logs and benchmark headers.
    public static var description: String {
        version.map { "jemalloc \($0.prefix(while: { $0 != "-" }))" } ?? "system malloc"
    }
}
