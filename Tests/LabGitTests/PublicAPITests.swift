import Foundation
import XCTest

/// No C type leaves LabGit: every public declaration is read from the sources and checked.
final class PublicAPITests: XCTestCase {
    func testNoPublicDeclarationMentionsACType() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/LabGit").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThan(files.count, 5)
        var declarations = 0
        var leaks: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for declaration in Self.publicDeclarations(in: text) {
                declarations += 1
                if ["git_", "OpaquePointer", "Unsafe", "CLibGit2"].contains(where: declaration.contains) {
                    leaks.append("\(file): \(declaration)")
                }
            }
        }
        XCTAssertGreaterThan(declarations, 50)
        XCTAssertEqual(leaks, [])
        // The check itself must catch a leak.
        XCTAssertEqual(Self.publicDeclarations(in: "public func f(_ p: OpaquePointer,\n x: Int) {}\n").count, 1)
        XCTAssertTrue(Self.publicDeclarations(in: "public func f(_ p: OpaquePointer,\n x: Int) {}\n")[0].contains("OpaquePointer"))
    }

    /// From each `public ` to the end of its signature: the first `{` or a line end with
    /// balanced parentheses.
    static func publicDeclarations(in text: String) -> [String] {
        var result: [String] = []
        var searchStart = text.startIndex
        while let range = text.range(of: "public ", range: searchStart..<text.endIndex) {
            var depth = 0
            var end = range.upperBound
            while end < text.endIndex {
                let c = text[end]
                if c == "(" { depth += 1 }
                if c == ")" { depth -= 1 }
                if c == "{" || (c == "\n" && depth <= 0) { break }
                end = text.index(after: end)
            }
            result.append(String(text[range.lowerBound..<end]))
            searchStart = end
        }
        return result
    }
}
