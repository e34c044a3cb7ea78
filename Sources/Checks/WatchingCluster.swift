import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// A live cluster whose lists are kept current by watches: an informer-like cache for
/// `klab verify --watch`. The first read of a kind in a scope is a `kubectl get` (through
/// `KubectlCluster`); after a round, each kind and scope it read gets one
/// `kubectl get KIND -o json --watch --output-watch-events` stream, whose events keep that
/// list current, and later rounds read the list from memory. `waitForChange` returns when
/// something the last round read has changed, so a step is evaluated again only then.
///
/// A stream that ends (kubectl exits, an ERROR event, output that is not an event) leaves its
/// kind to polling (`Timing.pollInterval`) until it is started again, after a delay that
/// doubles up to `Timing.longestRetry`. exec, http, command and canI checks cannot be watched:
/// a step that runs them is evaluated again every `Timing.unwatchedInterval` as well. Every
/// `Timing.resyncInterval` the lists are read afresh, as informers re-list, so a cache that
/// missed an event cannot stay wrong.
///
/// A list the running watch vouches for (`WatchedList.vouched`: every object in it printed by
/// that watch, or read after it had printed something) is what a fresh read at the watch's
/// latest event would say, so a pass seen in it is recorded as it was seen, with that list as
/// its evidence. A round that read a list holding an object known only from a read before its
/// watch started (one deleted in between would never be reported) sets
/// `roundNeedsConfirming`; `refresh()` then sends the rest of the round to kubectl, so that
/// pass is confirmed on a fresh read before it is recorded.
// @unchecked: every mutable property is read and written only under `lock`; the stream
// callbacks take it too.
public final class WatchingCluster: Cluster, @unchecked Sendable {
    /// One kind in one scope: what one watch stream follows.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        public var kind: KindReference
        /// nil: every namespace, or a cluster-scoped kind.
        public var namespace: String?
        public var clusterScoped: Bool

        public init(kind: KindReference, namespace: String?, clusterScoped: Bool) {
            self.kind = kind
            self.namespace = clusterScoped ? nil : namespace
            self.clusterScoped = clusterScoped
        }

        var scope: KubectlArguments.Scope {
            clusterScoped ? .cluster : namespace.map { .namespace($0) } ?? .allNamespaces
        }

        /// `pods in default`, `nodes`, `deployments.apps in every namespace`.
        public var description: String {
            let resource = KubectlArguments.resource(for: kind)
            if clusterScoped { return resource }
            return resource + (namespace.map { " in \($0)" } ?? " in every namespace")
        }
    }

    public struct Timing: Sendable {
        /// Seconds between rounds while a watch the step relies on is down.
        public var pollInterval: Double
        /// Seconds between rounds of a step with exec, http, command or canI checks.
        public var unwatchedInterval: Double
        /// Seconds between fresh reads of every list.
        public var resyncInterval: Double
        /// Seconds before a watch that ended is started again, doubling up to `longestRetry`.
        public var firstRetry: Double
        public var longestRetry: Double

        public init(pollInterval: Double = 2, unwatchedInterval: Double = 10, resyncInterval: Double = 60,
                    firstRetry: Double = 1, longestRetry: Double = 30) {
            self.pollInterval = pollInterval
            self.unwatchedInterval = unwatchedInterval
            self.resyncInterval = resyncInterval
            self.firstRetry = firstRetry
            self.longestRetry = longestRetry
        }
    }

    /// Why `waitForChange` returned.
    public enum Wake: Sendable, Equatable {
        /// Something the last round read has changed.
        case changed
        /// A watch the last round relied on has ended: the next round reads it afresh.
        case streamEnded
        /// Time for another round: a watch is down, or the step has checks no watch sees.
        case poll
        /// Time to read every list afresh.
        case resync
        case stopped
    }

    /// What the last round's reads are followed by, for the learner's status line.
    public struct Status: Sendable, Equatable {
        /// Kinds and scopes whose changes end the wait, in a stable order.
        public var watched: [Key]
        /// Kinds and scopes whose watch is down, with the reason.
        public var down: [Key: String]
        /// The step has exec, http, command or canI checks, evaluated again on a timer.
        public var unwatchedChecks: Bool
    }

    public let kubectl: KubectlCluster
    public let timing: Timing
    /// Raised when a list changes or a watch ends; what `waitForChange` sleeps on.
    public let signal = WakeSignal()

    private final class Stream {
        var generation = 0
        var process: StreamingProcess?
        var decoder = WatchEventDecoder()
        var running = false
        var endReason: String?
        /// When the waiting side noticed the end (its clock, not the reader thread's).
        var endedAt: Double?
        var retryDelay: Double
        var delivered = false

        init(retryDelay: Double) { self.retryDelay = retryDelay }
    }

    private let lock = NSLock()
    private var lists: [Key: WatchedList] = [:]
    private var streams: [Key: Stream] = [:]
    private var generations = 0
    private var starts = 0
    /// What the current round read, and the version of each list it saw.
    private var roundReads: [Key: Int] = [:]
    private var roundUnwatched = false
    private var roundUsedUnvouched = false
    private var roundStartedAt = 0.0
    private var endedSinceRound: Set<Key> = []
    private var bypass = false
    private var freshNextRound = false

    public init(kubectl: KubectlCluster, timing: Timing = Timing()) {
        self.kubectl = kubectl
        self.timing = timing
    }

    deinit { stop() }

    // MARK: - Rounds

    /// Marks the start of a round (one evaluation of the step): what it reads is what the
    /// next wait follows.
    public func beginRound(at now: Double) {
        lock.lock()
        defer { lock.unlock() }
        roundReads = [:]
        roundUnwatched = false
        roundUsedUnvouched = false
        endedSinceRound = []
        bypass = freshNextRound
        freshNextRound = false
        roundStartedAt = now
    }

    /// Starts a watch for each kind and scope the round read that has none (and again for one
    /// whose retry delay is over). A watch runs until `stop()`: the next step most likely reads
    /// the same kinds, and a watch kept costs the API server less than a new list. Only what
    /// the last round read wakes `waitForChange`.
    public func follow(at now: Double) {
        lock.lock()
        defer { lock.unlock() }
        follow(now)
    }

    /// Sleeps on `clock` until the step should be evaluated again (see `Wake`).
    public func waitForChange(clock: CheckClock, stopped: () -> Bool) -> Wake {
        while true {
            if stopped() { return .stopped }
            let now = clock.now()
            lock.lock()
            let (wake, next) = decide(now)
            if wake == .resync || wake == .streamEnded { freshNextRound = true }
            lock.unlock()
            if let wake { return wake }
            _ = clock.sleep(seconds: max(0, next - now), wakingOn: signal)
        }
    }

    public var status: Status {
        lock.lock()
        defer { lock.unlock() }
        var down: [Key: String] = [:]
        var watched: [Key] = []
        for key in roundReads.keys {
            if let stream = streams[key], stream.running { watched.append(key) } else {
                down[key] = streams[key]?.endReason ?? "not started"
            }
        }
        return Status(watched: watched.sorted { $0.description < $1.description }, down: down, unwatchedChecks: roundUnwatched)
    }

    /// Whether this round read, from the watches, a list they do not vouch for (see
    /// `WatchedList.vouched`): a pass seen in it is worth confirming on a fresh read. A round
    /// that read only vouched lists, or read kubectl, needs no confirming.
    public var roundNeedsConfirming: Bool {
        lock.lock()
        defer { lock.unlock() }
        return roundUsedUnvouched
    }

    /// How many watch streams have been started so far.
    public var streamsStarted: Int {
        lock.lock()
        defer { lock.unlock() }
        return starts
    }

    /// Ends every watch.
    public func stop() {
        lock.lock()
        let ending = streams.values.compactMap(\.process)
        for stream in streams.values { stream.running = false }
        streams.removeAll()
        lock.unlock()
        for process in ending { process.terminate() }
    }

    /// The version of one watched list (test synchronisation: "the event has been applied").
    func version(of key: Key) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return lists[key]?.version
    }

    /// Whether the running watch vouches for one list (test synchronisation, see `WatchedList`).
    func vouched(_ key: Key) -> Bool? {
        lock.lock()
        defer { lock.unlock() }
        return lists[key]?.vouched
    }

    // MARK: - Cluster

    public func objects(of kind: KindReference, namespace: String?) throws -> [JSONValue] {
        try objects(of: [kind], namespace: namespace)[kind] ?? []
    }

    public func objects(of kinds: [KindReference], namespace: String?) throws -> [KindReference: [JSONValue]] {
        let keys = kinds.map { Key(kind: $0, namespace: namespace, clusterScoped: isClusterScoped($0) ?? false) }
        var result: [KindReference: [JSONValue]] = [:]
        var missing: [Key] = []
        // Whether each list about to be read is read after its running watch printed something.
        var vouching: [Key: Bool] = [:]
        lock.lock()
        for key in keys {
            if !bypass, streams[key]?.running == true, let list = lists[key] {
                result[key.kind] = list.items
                roundReads[key] = list.version
                if !list.vouched { roundUsedUnvouched = true }
            } else {
                missing.append(key)
                vouching[key] = streams[key].map { $0.running && $0.delivered } ?? false
            }
        }
        lock.unlock()
        guard !missing.isEmpty else { return result }
        let read: [KindReference: [JSONValue]]
        if missing.count == 1 {
            read = [missing[0].kind: try kubectl.objects(of: missing[0].kind, namespace: missing[0].namespace)]
        } else {
            read = try kubectl.objects(of: missing.map(\.kind), namespace: namespace)
        }
        lock.lock()
        defer { lock.unlock() }
        for key in missing {
            var list = lists[key] ?? WatchedList()
            list.replace(with: read[key.kind] ?? [], vouched: vouching[key] ?? false)
            lists[key] = list
            roundReads[key] = list.version
            result[key.kind] = list.items
        }
        return result
    }

    public func isClusterScoped(_ kind: KindReference) -> Bool? {
        kubectl.isClusterScoped(kind)
    }

    public func exec(namespace: String, pod: String, container: String?, command: [String]) throws -> CommandOutput {
        markUnwatched()
        return try kubectl.exec(namespace: namespace, pod: pod, container: container, command: command)
    }

    public func http(_ request: HTTPRequest) throws -> HTTPOutput {
        markUnwatched()
        return try kubectl.http(request)
    }

    public func command(_ arguments: [String]) throws -> CommandOutput {
        markUnwatched()
        return try kubectl.command(arguments)
    }

    /// The rest of this round reads from kubectl, not from the watched lists (and refills them).
    public func refresh() {
        lock.lock()
        bypass = true
        lock.unlock()
    }

    private func markUnwatched() {
        lock.lock()
        roundUnwatched = true
        lock.unlock()
    }

    // MARK: - Streams (all under `lock`)

    private func follow(_ now: Double) {
        for key in roundReads.keys {
            guard let stream = streams[key] else {
                start(key, Stream(retryDelay: timing.firstRetry))
                continue
            }
            if !stream.running, let endedAt = stream.endedAt, now >= endedAt + stream.retryDelay {
                stream.retryDelay = min(stream.retryDelay * 2, timing.longestRetry)
                start(key, stream)
            }
        }
    }

    private func start(_ key: Key, _ stream: Stream) {
        generations += 1
        starts += 1
        let generation = generations
        stream.generation = generation
        stream.decoder = WatchEventDecoder()
        stream.running = true
        stream.endReason = nil
        stream.endedAt = nil
        stream.delivered = false
        streams[key] = stream
        lists[key]?.unvouchAll()
        let options = kubectl.options
        do {
            stream.process = try StreamingProcess(
                options.kubectl, KubectlArguments.watch(kind: key.kind, scope: key.scope, connection: options.connection),
                environment: options.environment,
                output: { [weak self] data in self?.received(data, key: key, generation: generation) },
                finished: { [weak self] status, stderr in self?.finished(status: status, stderr: stderr, key: key, generation: generation) })
        } catch {
            end(key, stream, reason: "\(error)")
        }
    }

    private func received(_ data: Data, key: Key, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let stream = streams[key], stream.generation == generation, stream.running else { return }
        var changed = false
        for item in stream.decoder.feed(data) {
            switch item {
            case .event(let event) where event.type == .error:
                end(key, stream, reason: "the API server ended it: \(event.errorMessage)")
            case .event(let event):
                if !stream.delivered {
                    stream.delivered = true
                    stream.retryDelay = timing.firstRetry
                }
                var list = lists[key] ?? WatchedList()
                if list.apply(WatchEvent(type: event.type, object: Self.typed(event.object, key.kind))) { changed = true }
                lists[key] = list
            case .garbage(let text):
                end(key, stream, reason: "kubectl printed something that is not a watch event: \(text.prefix(80))")
            }
            if !stream.running { break }
        }
        if changed { signal.raise() }
    }

    private func finished(status: Int32, stderr: String, key: Key, generation: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let stream = streams[key], stream.generation == generation, stream.running else { return }
        end(key, stream, reason: KubectlCluster.meaningfulLine(stderr) ?? "kubectl ended the watch (exit status \(status))")
    }

    private func end(_ key: Key, _ stream: Stream, reason: String) {
        stream.running = false
        stream.endReason = reason
        stream.process?.terminate()
        endedSinceRound.insert(key)
        signal.raise()
    }

    /// What to do now, or when to look again.
    private func decide(_ now: Double) -> (Wake?, Double) {
        for stream in streams.values where !stream.running && stream.endedAt == nil { stream.endedAt = now }
        follow(now)
        if !endedSinceRound.isDisjoint(with: roundReads.keys) {
            endedSinceRound = []
            return (.streamEnded, now)
        }
        if roundReads.contains(where: { lists[$0.key]?.version != $0.value }) { return (.changed, now) }
        let resync = roundStartedAt + timing.resyncInterval
        var poll = Double.infinity
        if roundUnwatched { poll = roundStartedAt + timing.unwatchedInterval }
        if roundReads.keys.contains(where: { streams[$0]?.running != true }) { poll = min(poll, roundStartedAt + timing.pollInterval) }
        if now >= resync { return (.resync, now) }
        if now >= poll { return (.poll, now) }
        var next = min(resync, poll)
        for stream in streams.values where !stream.running {
            if let endedAt = stream.endedAt { next = min(next, endedAt + stream.retryDelay) }
        }
        return (nil, next)
    }

    /// The object with `kind` and `apiVersion`, as every list klab reads gives them.
    private static func typed(_ object: JSONValue, _ kind: KindReference) -> JSONValue {
        guard case .object(var fields) = object, fields["kind"] == nil || fields["apiVersion"] == nil else { return object }
        if fields["kind"] == nil { fields["kind"] = .string(kind.info?.kind ?? kind.kind) }
        if fields["apiVersion"] == nil { fields["apiVersion"] = .string(kind.apiVersion ?? kind.info?.apiVersion ?? "v1") }
        return .object(fields)
    }
}
