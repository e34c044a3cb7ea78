import Foundation
import LabSpec

/// What `klab start` writes into the lab's folder of the workspace: the introduction, each
/// step's prose, and the manifests rendered for this learner.
public enum LabMaterials {
    /// Relative path (inside the lab folder) → bytes.
    public static func files(for lab: Lab, parameters: [String: String], learner: String) throws -> [String: Data] {
        var values = try lab.parameterValues(parameters)
        values["learner"] = learner
        var files: [String: Data] = [:]
        let prose = ProseRenderer(lab: lab)
        var intro = "# \(lab.title)\n\n"
        if let text = try prose.introduction(values: values) { intro = text } else if !lab.summary.isEmpty {
            intro += lab.summary + "\n"
        }
        files["README.md"] = Data(intro.utf8)
        for (number, step) in lab.steps.enumerated() {
            let text = try prose.step(step, values: values) ?? "# \(step.title)\n"
            files[stepFile(number: number + 1, step: step)] = Data(text.utf8)
        }
        // Manifests sit at the top of the lab folder, where the steps' commands
        // (`kubectl apply -f liveness-app.yaml`) expect them.
        let manifests = try ManifestRenderer(lab: lab).render(parameters: parameters, learner: learner)
        let names = manifests.map { ($0.path as NSString).lastPathComponent }
        for manifest in manifests {
            let text = manifest.documents.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "---\n")
            let name = (manifest.path as NSString).lastPathComponent
            let clash = names.filter { $0 == name }.count > 1 || name == "README.md"
            files[clash ? manifest.path : name] = Data(text.utf8)
        }
        return files
    }

    /// `steps/01-liveness.md`: numbered so a file listing shows the order.
    public static func stepFile(number: Int, step: LabStep) -> String {
        let padded = number < 10 ? "0\(number)" : String(number)
        return "steps/\(padded)-\(step.id).md"
    }

    /// A digest of the lab package as the learner got it (lab.yaml, manifests, prose; not
    /// fixtures), so a grader can tell whether it matches their own copy.
    public static func digest(of lab: Lab) -> String {
        var files: [String: Data] = [:]
        collect(lab.directory, prefix: "lab/", skipping: ["fixtures"], into: &files)
        collect(lab.contentDirectory, prefix: "content/", skipping: [], into: &files)
        return EvidenceSeal.digest(files)
    }

    private static func collect(_ directory: URL, prefix: String, skipping: Set<String>, into files: inout [String: Data]) {
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(base + "/") else { continue }
            let relative = String(path.dropFirst(base.count + 1))
            if let top = relative.split(separator: "/").first, skipping.contains(String(top)) {
                walker.skipDescendants()
                continue
            }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            files[prefix + relative] = data
        }
    }
}
