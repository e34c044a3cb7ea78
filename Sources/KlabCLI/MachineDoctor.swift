import Checks
import Foundation
import KubeJSON
import LabGit
import LabSpec
import Workspace

/// What `klab doctor` finds on the learner's machine: one finding per thing klab needs, each
/// with what to do when it is missing. Only a missing *needed* thing fails the doctor.
struct MachineDoctor {
    struct Finding: Equatable {
        enum Status: String { case ok, missing, warning, info }
        var name: String
        var status: Status
        var detail: String
        var fix: String?
        /// Whether klab cannot work without it (exit 3 when it is missing).
        var needed: Bool
    }

    var kubeconfig: String?
    var context: String?
    var labs: String?
    var workspace: URL
    var environment: [String: String] = ProcessInfo.processInfo.environment

    func run() -> [Finding] {
        var findings: [Finding] = []
        let kubectl = KubectlProbe.find()
        if let kubectl {
            findings.append(.init(name: "kubectl", status: .ok, detail: "\(kubectl.version ?? "version unknown") at \(kubectl.path)", needed: true))
            findings += cluster(kubectl.path)
        } else {
            findings.append(.init(
                name: "kubectl", status: .missing, detail: "not found on PATH",
                fix: "install kubectl (https://kubernetes.io/docs/tasks/tools/) and put it on PATH", needed: true))
            findings.append(.init(name: "cluster", status: .info, detail: "not checked without kubectl", needed: false))
        }
        let (labsFinding, loader) = labsFolder()
        findings.append(labsFinding)
        findings += programs(loader)
        findings.append(gitIdentity())
        findings.append(.init(name: "libgit2", status: .ok, detail: LibGit2.version, needed: true))
        return findings
    }

    /// The current context, and whether its API server answers.
    func cluster(_ kubectl: String) -> [Finding] {
        var connection: [String] = []
        if let kubeconfig { connection += ["--kubeconfig", kubeconfig] }
        if let context { connection += ["--context", context] }
        var findings: [Finding] = []
        if case .kubeconfig(let detail)? = KubectlCluster.Options(context: context, kubeconfig: kubeconfig).irregularKubeconfig() {
            return [.init(name: "context", status: .missing, detail: "the kubeconfig " + detail,
                          fix: "name a regular kubeconfig file with --kubeconfig or KUBECONFIG", needed: true)]
        }
        let current = try? ProcessRunner.run(kubectl, ["config", "current-context"] + connection, timeout: 10)
        let name = context ?? (current?.status == 0 ? current?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : nil)
        guard let name, !name.isEmpty else {
            return [.init(
                name: "context", status: .missing, detail: "no current kubeconfig context",
                fix: "point kubectl at your cluster: `aws eks update-kubeconfig --name CLUSTER` or `kubectl config use-context NAME`",
                needed: true)]
        }
        findings.append(.init(name: "context", status: .ok, detail: name, needed: true))
        let version = try? ProcessRunner.run(kubectl, ["version", "-o", "json", "--request-timeout=5s"] + connection, timeout: 15)
        let server = version.flatMap { try? JSONParser.parse(bytes: $0.stdout) }?["serverVersion"]?["gitVersion"]?.stringValue
        if let server, version?.status == 0 {
            findings.append(.init(name: "cluster", status: .ok, detail: "the API server of \(name) answers (Kubernetes \(server))", needed: true))
        } else {
            let why = version.map { Self.lastLine($0.stderrText) } ?? "kubectl could not be run"
            findings.append(.init(
                name: "cluster", status: .missing, detail: "the API server of \(name) does not answer: \(why)",
                fix: "check your network and credentials (`kubectl get nodes` says more), or verify against a snapshot with --snapshot",
                needed: true))
        }
        return findings
    }

    func labsFolder() -> (Finding, LabLoader?) {
        do {
            let loader = try LabCatalog.loader(labs: labs, environment: environment)
            let count = loader.labIDs().count
            return (.init(name: "labs", status: .ok, detail: "\(count) labs in \(loader.labsDirectory.path)", needed: true), loader)
        } catch {
            return (.init(
                name: "labs", status: .missing, detail: "no labs folder found",
                fix: "pass --labs DIR or set KLAB_LABS, or install klab with Scripts/install", needed: true), nil)
        }
    }

    /// aws and helm, when a lab started in the workspace uses them (in its step commands or
    /// its checks); otherwise they are only mentioned.
    func programs(_ loader: LabLoader?) -> [Finding] {
        var usedBy: [String: [String]] = [:]
        if let loader, let workspace = try? LearnerWorkspace.open(at: workspace, lockTimeout: 0.5),
           let started = try? workspace.startedLabs() {
            for id in started {
                guard let lab = try? loader.load(id) else { continue }
                for program in Self.programs(usedBy: lab) { usedBy[program, default: []].append(id) }
            }
        }
        return ["aws", "helm"].map { program in
            let labs = usedBy[program] ?? []
            let path = ProcessRunner.which(program, path: environment["PATH"])
            let uses = labs.isEmpty ? "no started lab uses it" : "used by \(labs.joined(separator: ", "))"
            if let path { return .init(name: program, status: .ok, detail: "\(path) (\(uses))", needed: !labs.isEmpty) }
            if labs.isEmpty { return .init(name: program, status: .info, detail: "not found on PATH (\(uses))", needed: false) }
            let how = program == "aws"
                ? "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
                : "install helm (https://helm.sh/docs/intro/install/)"
            return .init(name: program, status: .missing, detail: "not found on PATH (\(uses))", fix: how, needed: true)
        }
    }

    /// The programs a lab runs: the first word of its step commands and of its command checks.
    static func programs(usedBy lab: Lab) -> Set<String> {
        var found: Set<String> = []
        for step in lab.steps {
            for command in step.commands {
                if let first = command.split(separator: " ").first { found.insert(String(first)) }
            }
            for check in step.checks {
                if case .command(let argv) = check.source, let first = argv.first { found.insert(first) }
            }
        }
        for check in lab.completion {
            if case .command(let argv) = check.source, let first = argv.first { found.insert(first) }
        }
        return found
    }

    /// Your own git identity: klab signs its commits with your learner id, so this is for the
    /// commits you make yourself in the workspace.
    func gitIdentity() -> Finding {
        guard let git = ProcessRunner.which("git", path: environment["PATH"]) else {
            return .init(name: "git identity", status: .info, detail: "git not found (klab does not need it; it is handy for looking at your workspace)", needed: false)
        }
        func value(_ key: String) -> String? {
            guard let result = try? ProcessRunner.run(git, ["config", "--get", key], timeout: 10), result.status == 0 else { return nil }
            let text = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        if let name = value("user.name"), let email = value("user.email") {
            return .init(name: "git identity", status: .ok, detail: "\(name) <\(email)>", needed: false)
        }
        return .init(
            name: "git identity", status: .warning, detail: "not set (klab's own commits do not need it)",
            fix: "for your own commits: git config --global user.name 'Your Name'; git config --global user.email you@example.com",
            needed: false)
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "no answer"
    }
}
