#if canImport(Glibc)
import Glibc
#endif

/// Room for the tree of a large input, asked of the allocator before parsing starts.
///
/// klab parses on threads of its own (`DeepStack`), and glibc gives each thread a heap that
/// grows by what each allocation needs: one `mprotect` call per new 4 KiB page, then a page
/// fault when the page is first written. The tree of the 63.6 MB benchmark list took 12,000 of
/// each, a fifth of the whole run's CPU time. Here the heap grows once by about the input's
/// size (one allocation, freed at once, which leaves the heap that large), and that room is
/// marked for transparent huge pages, so the tree's memory arrives 2 MiB per fault instead of
/// 4 KiB. Room never written costs nothing: a page is only memory once written.
///
/// Only the calling thread's heap is prepared, and only on Linux with glibc; elsewhere, and
/// for inputs under `smallestInput`, this does nothing.
enum TreeHeap {
    /// Inputs smaller than this are parsed as they come: their trees are a few megabytes.
    static let smallestInput = 8 << 20
    /// Most room prepared: two pieces, within the 64 MiB that one glibc thread heap holds.
    static let mostRoom = 48 << 20
    static let piece = 24 << 20
    static let hugePage = 2 << 20

    /// Prepares room for the tree of an input of `count` bytes; returns the bytes marked for
    /// huge pages (0 when nothing was done).
    @discardableResult
    static func prepare(forInputBytes count: Int) -> Int {
        #if canImport(Glibc)
        guard count >= smallestInput else { return 0 }
        let room = min(count, mostRoom)
        // A piece this large would be mapped on its own (glibc's threshold is 128 KiB to begin
        // with, and rises to at most 32 MiB); for a moment it must come from the heap.
        guard let mallopt = Self.mallopt, mallopt(mmapThreshold, Int32(piece + (1 << 20))) == 1 else { return 0 }
        defer { _ = mallopt(mmapThreshold, 128 << 10) }
        var pieces: (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) = (nil, nil)
        let first = min(room, piece), second = room - first
        pieces.0 = malloc(first)
        if second > 0 { pieces.1 = malloc(second) }
        var marked = 0
        if let a = pieces.0 {
            if let b = pieces.1, b > a, b - a <= first + 64 {
                // Side by side, as they are in a heap with room: one range.
                marked = markHuge(a, b - a + second)
            } else {
                marked = markHuge(a, first)
                if let b = pieces.1 { marked += markHuge(b, second) }
            }
        }
        // Freed top first, so that both return to the top of the heap.
        free(pieces.1)
        free(pieces.0)
        return marked
        #else
        return 0
        #endif
    }

    #if canImport(Glibc)
    /// glibc's `mallopt` and its `M_MMAP_THRESHOLD` (malloc.h, which Swift's Glibc module
    /// leaves out).
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private static let mmapThreshold: Int32 = -3
    private static let mallopt: Mallopt? = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: Mallopt.self) }

    /// Marks the whole huge pages within `count` bytes at `start`; returns how many bytes.
    private static func markHuge(_ start: UnsafeMutableRawPointer, _ count: Int) -> Int {
        let low = (Int(bitPattern: start) + hugePage - 1) & ~(hugePage - 1)
        let high = (Int(bitPattern: start) + count) & ~(hugePage - 1)
        guard high > low, let at = UnsafeMutableRawPointer(bitPattern: low),
              madvise(at, high - low, MADV_HUGEPAGE) == 0 else { return 0 }
        return high - low
    }
    #endif
}
