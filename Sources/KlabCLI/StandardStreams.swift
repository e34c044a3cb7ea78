import Foundation
import KubeJSON

func writeStdout(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeStderr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// A command's `--output json`: its output struct, encoded in declaration order (nil as null).
func writeJSON<T: Encodable>(_ output: T) throws {
    writeStdout(try JSONValueEncoder().pretty(output))
}
