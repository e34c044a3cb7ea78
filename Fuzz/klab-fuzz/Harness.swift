import Checks
import Foundation
import Grading
import KubeCore
import KubeJSON
import LabGit
import LabSpec

// One libFuzzer binary for every fuzz target: KLAB_FUZZ_TARGET names the one this run feeds
// (Scripts/fuzz sets it). A target returns normally for any input klab must reject with an
// error; a crash, an ASan report or a failed `invariant` is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = count == 0 ? Data() : Data(bytes: start!, count: count)
    Harness.target(bytes)
    return 0
}

/// SwiftPM links an executable's entry point as `<module>_main`; this one hands the process to
/// libFuzzer's driver (the build passes -parse-as-library, so Swift generates no `main`).
@_cdecl("klab_fuzz_main")
public func klabFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    FuzzTargets.prepare(Harness.name)
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

enum Harness {
    static let name = ProcessInfo.processInfo.environment["KLAB_FUZZ_TARGET"] ?? ""

    static let target: @Sendable (Data) -> Void = {
        guard let target = FuzzTargets.all[name] else {
            FileHandle.standardError.write(Data("klab-fuzz: KLAB_FUZZ_TARGET must be one of \(FuzzTargets.all.keys.sorted().joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()
}

/// A property every input must keep; breaking it is a finding, reported as a crash.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        FileHandle.standardError.write(Data("klab-fuzz invariant broken: \(message())\n".utf8))
        abort()
    }
}

/// Splits an input at its first newline: (first line, the rest).
func firstLine(_ data: Data) -> (String, Data) {
    guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return (String(decoding: data, as: UTF8.self), Data()) }
    return (String(decoding: data[..<newline], as: UTF8.self), Data(data[(newline + 1)...]))
}

/// A JSON value for a target that needs one: the input's JSON when it parses, else a Pod.
func object(_ data: Data) -> JSONValue {
    if let value = try? JSONParser.parse(bytes: data) { return value }
    return FuzzTargets.pod
}

/// The repository this binary was built from (labs, fixtures), or KLAB_FUZZ_ROOT.
let repositoryRoot: URL = {
    if let root = ProcessInfo.processInfo.environment["KLAB_FUZZ_ROOT"] { return URL(fileURLWithPath: root) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}()

/// A private folder for targets that must read from a file, removed at exit.
let scratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("klab-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratch) }
    return url
}()

func writeScratch(_ name: String, _ data: Data) -> URL {
    let url = scratch.appendingPathComponent(name)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: url.path, contents: data)
    return url
}
