import MemoryAllocator
import Testing

@Suite("MemoryAllocator")
struct MemoryAllocatorTests {
    @Test("jemalloc serves the process's malloc once linked")
    func jemallocServesMalloc() throws {
        let version = try #require(MemoryAllocator.version)
        #expect(version.hasPrefix("5."))
        let before = try #require(MemoryAllocator.bytesAllocatedByCurrentThread)
        // Swift arrays allocate through malloc; a megabyte cannot come from anywhere else.
        let buffer = [UInt8](repeating: 1, count: 1 << 20)
        let after = try #require(MemoryAllocator.bytesAllocatedByCurrentThread)
        #expect(buffer.count == 1 << 20)
        #expect(after - before >= 1 << 20)
    }
}
