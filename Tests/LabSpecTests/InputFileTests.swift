import Foundation
import KubeJSON
import LabSpec
import XCTest

/// Files klab did not write are read only when they are regular files within a limit.
final class InputFileTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("klab-inputfile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testAFileOfExactlyTheLimitIsReadAndOneByteMoreIsNot() throws {
        let file = folder.appendingPathComponent("f.json").path
        try Data(repeating: 0x20, count: 100).write(to: URL(fileURLWithPath: file))
        XCTAssertEqual(try InputFile.read(file, limit: 100).count, 100)
        XCTAssertThrowsError(try InputFile.read(file, limit: 99)) { error in
            XCTAssertEqual((error as? InputFile.Failure)?.reason, "is 100 bytes, more than the 99 bytes klab reads")
        }
    }

    /// Read whole and unchanged at every size around the 64 KiB the reads go through, and
    /// across them; an empty file is empty.
    func testFilesAreReadWholeAtEverySize() throws {
        for size in [0, 1, 2, 4095, 65_535, 65_536, 65_537, 200_001] {
            let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ size) })
            let file = folder.appendingPathComponent("f\(size).json")
            try bytes.write(to: file)
            XCTAssertEqual(try InputFile.read(file.path, limit: size), bytes, "\(size) bytes")
        }
    }

    func testAFIFOADeviceAndAFolderAreRefusedWithoutBlocking() throws {
        let fifo = folder.appendingPathComponent("pipe.json").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try InputFile.read(fifo, limit: 1 << 20)) { error in
            XCTAssertEqual((error as? InputFile.Failure)?.reason, "is a FIFO (named pipe), not a regular file")
        }
        XCTAssertThrowsError(try InputFile.read("/dev/zero", limit: 1 << 20)) { error in
            XCTAssertEqual((error as? InputFile.Failure)?.reason, "is a device, not a regular file")
        }
        XCTAssertThrowsError(try InputFile.read(folder.path, limit: 1 << 20)) { error in
            XCTAssertEqual((error as? InputFile.Failure)?.reason, "is a folder, not a regular file")
        }
        XCTAssertThrowsError(try InputFile.read(folder.appendingPathComponent("none").path, limit: 1)) { error in
            XCTAssertEqual((error as? InputFile.Failure)?.reason, "does not exist")
        }
    }

    func testSizesReadAsPeopleWriteThem() {
        XCTAssertEqual(InputFile.size(InputLimits.snapshotFileBytes), "64 MiB")
        XCTAssertEqual(InputFile.size(100 << 20), "100 MiB")
        XCTAssertEqual(InputFile.size((100 << 20) + 1), "100.0 MiB")
        XCTAssertEqual(InputFile.size(16 * 1024), "16 KiB")
        XCTAssertEqual(InputFile.size(99), "99 bytes")
    }
}
