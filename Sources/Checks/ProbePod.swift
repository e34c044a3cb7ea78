import Foundation
import KubeJSON
import LabSpec

/// What a probe pod did: its command ran (an exit code and the pod's log), or it never ran and
/// why. Only the first says anything about the cluster's network: a "blocked" check must never
/// pass because the image could not be pulled or the pod could not be created.
public struct ProbeOutput: Sendable, Equatable {
    public var exitCode: Int
    /// The pod's log (what the command wrote on stdout and stderr).
    public var stdout: String
    public var stderr: String
    /// Why the command never ran (nil when it ran, whatever its exit code).
    public var couldNotRun: String?

    public init(exitCode: Int, stdout: String, stderr: String = "", couldNotRun: String? = nil) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.couldNotRun = couldNotRun
    }

    public static func notRun(_ reason: String) -> ProbeOutput {
        ProbeOutput(exitCode: -1, stdout: "", couldNotRun: reason)
    }

    /// The reason the command did not run, also for an output that says it ran with the exit
    /// code a shell or a runtime gives a program it cannot start (126, 127).
    public var notRunReason: String? {
        if let couldNotRun { return couldNotRun }
        switch exitCode {
        case 126: return "exit code 126 (the program is not executable in the image)"
        case 127: return "exit code 127 (the program is not in the image)"
        default: return nil
        }
    }

    var commandOutput: CommandOutput { CommandOutput(exitCode: exitCode, stdout: stdout, stderr: stderr) }
}

/// The probe pod of a `probe` check, as pure functions: its name, its manifest, and what its
/// status says (`KubectlCluster.probe` runs it).
public enum ProbePod {
    /// Every probe pod carries this label (and klab's lab and learner labels when known), so
    /// `kubectl get pods -l klab.dev/probe` finds any that a killed klab left behind.
    public static let marker = ProbeLabel(key: "klab.dev/probe", value: "true")

    /// `klab-probe-` and eight random hex digits.
    public static func newName() -> String {
        "klab-probe-" + String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
    }

    /// A pod that runs the command once and never restarts. It ends on its own
    /// (`activeDeadlineSeconds`) even if klab is killed before it can delete it.
    public static func manifest(name: String, namespace: String, request: ProbeRequest, owner: [ProbeLabel]) -> JSONValue {
        var labels = JSONObject()
        for label in request.labels + [marker] + owner { labels[label.key] = .string(label.value) }
        let container = JSONObject([
            ("name", .string("probe")), ("image", .string(request.image)), ("imagePullPolicy", .string("IfNotPresent")),
            ("command", .array(request.command.map(JSONValue.string))),
        ])
        let spec = JSONObject([
            ("restartPolicy", .string("Never")),
            ("activeDeadlineSeconds", .int(Int64(request.timeout.rounded(.up)) + 30)),
            ("terminationGracePeriodSeconds", .int(0)),
            ("automountServiceAccountToken", .bool(false)),
            ("enableServiceLinks", .bool(false)),
            ("containers", .array([.object(container)])),
        ])
        return .object(JSONObject([
            ("apiVersion", .string("v1")), ("kind", .string("Pod")),
            ("metadata", .object(JSONObject([("name", .string(name)), ("namespace", .string(namespace)), ("labels", .object(labels))]))),
            ("spec", .object(spec)),
        ]))
    }

    /// Where a probe pod stands.
    public enum State: Equatable {
        /// Not finished yet (scheduling, pulling, running); the words say what it waits for.
        case waiting(String)
        /// The command ran and exited with this code.
        case finished(exitCode: Int)
        /// The command never ran, and will not.
        case couldNotRun(String)
    }

    /// Waiting reasons of a container that will not start by waiting longer.
    static let hopeless: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError",
        "CreateContainerError", "RunContainerError",
    ]

    /// Reads the pod as `kubectl get pod -o json` prints it.
    public static func state(of pod: JSONValue) -> State {
        let status = pod["status"]
        let phase = status?["phase"]?.stringValue ?? "Pending"
        let container = status?["containerStatuses"]?.arrayValue?.first
        let image = container?["image"]?.stringValue ?? pod["spec"]?["containers"]?[0]?["image"]?.stringValue ?? "?"
        if let terminated = container?["state"]?["terminated"] {
            let code = terminated["exitCode"].flatMap(integer) ?? -1
            let reason = terminated["reason"]?.stringValue ?? ""
            // containerd reports a program missing from the image as StartError with 128.
            if reason == "StartError" || reason == "ContainerCannotRun" {
                return .couldNotRun("the container did not start (\(reason): \(terminated["message"]?.stringValue ?? "no message"))")
            }
            return .finished(exitCode: code)
        }
        if let waiting = container?["state"]?["waiting"], let reason = waiting["reason"]?.stringValue, hopeless.contains(reason) {
            let message = waiting["message"]?.stringValue.map { ": \($0)" } ?? ""
            let what = reason.contains("Image") ? "the image \(image) could not be pulled" : "the container could not be created"
            return .couldNotRun("\(what) (\(reason)\(message))")
        }
        if phase == "Failed" || phase == "Succeeded" {
            // Ended without its container ever running (evicted, deadline exceeded).
            let reason = status?["reason"]?.stringValue ?? phase
            return .couldNotRun("the pod ended before its command ran (\(reason)\(status?["message"]?.stringValue.map { ": \($0)" } ?? ""))")
        }
        if let scheduled = status?["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == "PodScheduled" }),
           scheduled["status"]?.stringValue == "False" {
            return .waiting("not scheduled (\(scheduled["reason"]?.stringValue ?? "no reason")\(scheduled["message"]?.stringValue.map { ": \($0)" } ?? ""))")
        }
        if let waiting = container?["state"]?["waiting"]?["reason"]?.stringValue { return .waiting(waiting) }
        return .waiting(phase == "Running" ? "running" : phase)
    }

    private static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let n): return Int(n)
        case .double(let d) where d == d.rounded(): return Int(d)
        default: return nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The probe pods that exist right now, so that an interrupt (Ctrl-C, SIGTERM, SIGHUP) deletes
/// them before klab ends: each probe registers how to delete its pod when it creates it and
/// unregisters when it has deleted it itself.
///
/// Signal handlers are installed when the first probe registers. When the signal's disposition
/// was the default (klab would have died), the handler deletes the pods and then ends klab with
/// that signal, as it would have ended; when someone else handles it already (`klab verify
/// --watch` stops between rounds on Ctrl-C), it deletes the pods and leaves the rest to them.
// @unchecked: every mutable property is read and written only under `lock`.
public final class ProbeCleanup: @unchecked Sendable {
    /// The process's own: it installs the signal handlers.
    public static let shared = ProbeCleanup(handlesSignals: true)

    private let lock = NSLock()
    private var pending: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0
    private var interrupted = false
    /// Set when klab ends after the cleanup (the signal's default was to end it).
    private var ending = false
    private var observations: [ProcessSignals.Observation] = []

    private let handlesSignals: Bool

    /// `handlesSignals: false` (tests) tracks pods and deletes them on `interrupt()` only,
    /// leaving the process's signal dispositions alone (its children inherit them).
    init(handlesSignals: Bool = false) {
        self.handlesSignals = handlesSignals
    }

    /// Remembers how to delete a pod; returns the token that `finish` takes.
    public func register(_ delete: @escaping @Sendable () -> Void) -> Int {
        installHandlers()
        lock.lock()
        defer { lock.unlock() }
        nextToken += 1
        pending[nextToken] = delete
        return nextToken
    }

    /// Runs the pod's deletion unless an interrupt ran it already.
    public func finish(_ token: Int) {
        lock.lock()
        let delete = pending.removeValue(forKey: token)
        lock.unlock()
        delete?()
    }

    /// Whether an interrupt came while a probe was out (a waiting probe stops at once).
    public var wasInterrupted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return interrupted
    }

    /// After an interrupt that ends klab, a probe must not race the handler to an ordinary
    /// exit (a failed check, exit 1): it waits here until the handler ends the process.
    public func parkIfEnding() {
        lock.lock()
        let parked = ending
        lock.unlock()
        if parked { DispatchSemaphore(value: 0).wait() }
    }

    /// Deletes every registered pod now (what the signal handlers do); `ending` when klab ends
    /// right after.
    public func interrupt(ending: Bool = false) {
        lock.lock()
        self.ending = self.ending || ending
        interrupted = true
        let deletes = Array(pending.values)
        pending.removeAll()
        lock.unlock()
        for delete in deletes { delete() }
    }

    private func installHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard handlesSignals, observations.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            observations.append(ProcessSignals.observe(number) { [unowned self] in
                // klab ends here only when the signal would have ended it and nobody else
                // (verify --watch, serve) stops klab on it in their own way.
                let ending = ProcessSignals.endedKlabByDefault(number) && ProcessSignals.observers(of: number) == 1
                self.interrupt(ending: ending)
                if ending { ProcessSignals.end(with: number) }
            })
        }
    }
}
