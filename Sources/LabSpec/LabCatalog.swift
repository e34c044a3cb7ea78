import Foundation

/// Where the labs are: `--labs DIR`, else `KLAB_LABS`, else the project's `labs/` found beside
/// the klab executable (`.build/<config>/klab` → `../../labs`), else the labs installed with it
/// (`PREFIX/bin/klab` → `PREFIX/share/klab/labs`), else `labs/` above the current directory.
/// Prose is in `content/` beside the labs folder.
public enum LabCatalog {
    /// The loader for the labs folder the rules above find.
    public static func loader(
        labs explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL = LabCatalog.currentExecutable,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws -> LabLoader {
        LabLoader(labsDirectory: try labsDirectory(
            explicit: explicit, environment: environment, executable: executable, currentDirectory: currentDirectory))
    }

    /// The running klab: argv[0] when it is a path, else the file the system started. A klab
    /// found on PATH gets only its name as argv[0], which says nothing about where it is.
    public static var currentExecutable: URL {
        let argument = CommandLine.arguments.first ?? "klab"
        if argument.contains("/") { return URL(fileURLWithPath: argument) }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: argument)
    }

    public static func labsDirectory(
        explicit: String?, environment: [String: String], executable: URL, currentDirectory: URL
    ) throws -> URL {
        if let explicit {
            let url = URL(fileURLWithPath: explicit, relativeTo: currentDirectory).standardizedFileURL
            guard isDirectory(url) else { throw LabSpecError.labsDirectoryNotFound(searched: [explicit + " (--labs)"]) }
            return url
        }
        if let fromEnvironment = environment["KLAB_LABS"], !fromEnvironment.isEmpty {
            let url = URL(fileURLWithPath: fromEnvironment, relativeTo: currentDirectory).standardizedFileURL
            guard isDirectory(url) else { throw LabSpecError.labsDirectoryNotFound(searched: [fromEnvironment + " (KLAB_LABS)"]) }
            return url
        }
        var searched: [String] = []
        // The executable path as invoked first (.build/debug/klab), then with links resolved
        // (.build/x86_64-unknown-linux-gnu/debug/klab): either may sit in the project.
        let executables = [executable.standardizedFileURL, executable.resolvingSymlinksInPath()]
        for start in executables {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<4 {
                directory = directory.deletingLastPathComponent()
                let candidate = directory.appendingPathComponent("labs")
                if isDirectory(candidate), FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                    return candidate
                }
            }
        }
        // Installed (Scripts/install, the release archive): PREFIX/bin/klab beside
        // PREFIX/share/klab/labs.
        for start in executables {
            let candidate = start.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/klab/labs")
            if isDirectory(candidate) { return candidate.standardizedFileURL }
        }
        searched.append("beside \(executable.path)")
        var directory = currentDirectory.standardizedFileURL
        while true {
            let candidate = directory.appendingPathComponent("labs")
            if isDirectory(candidate) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        searched.append("labs/ in \(currentDirectory.path) and above")
        throw LabSpecError.labsDirectoryNotFound(searched: searched)
    }

    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A path as messages show it: relative to the current directory when it is inside it.
    public static func displayPath(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath
        let prefix = current.hasSuffix("/") ? current : current + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
