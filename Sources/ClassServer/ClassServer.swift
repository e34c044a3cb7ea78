import FlyingFox
import FlyingSocks
import Foundation
import Grading
import KubeJSON

/// The dashboard's HTTP side, on FlyingFox (Swift concurrency over plain sockets: no SwiftNIO
/// to build): the class page, a learner's page, `/api/class.json` (what `klab grade --output
/// json` prints, reports merged in), `/events` (server-sent events, a new board on every
/// change), `/healthz`, and `POST /api/report` for `klab verify`. It serves only what it
/// renders: no file, no evidence, nothing of the hand-ins but their grades. With a token,
/// every path but `/healthz` needs it (`?token=` or `Authorization: Bearer`).
public final class ClassServer: Sendable {
    public struct Options: Sendable {
        public var bind: String
        /// 0 asks the system for a free port (`start` returns the one it got).
        public var port: UInt16
        public var token: String?
        public var title: String
        /// The shortest gap between two events: a burst of reports is one redraw.
        public var eventGap: Duration
        public var keepAlive: Duration

        public init(bind: String = "127.0.0.1", port: UInt16 = 8080, token: String? = nil, title: String = "klab class",
                    eventGap: Duration = .milliseconds(100), keepAlive: Duration = .seconds(15)) {
            self.bind = bind
            self.port = port
            self.token = token
            self.title = title
            self.eventGap = eventGap
            self.keepAlive = keepAlive
        }
    }

    /// Largest report body taken (a report is a few hundred bytes).
    static let reportLimit = 64 * 1024

    public let board: ClassBoard
    public let events = BoardEvents()
    let texts = BoardTexts()
    public let options: Options
    private let server: HTTPServer
    private let address: any SocketAddress
    private let tasks = TaskBox()

    public init(board: ClassBoard, options: Options) throws(ServeError) {
        self.board = board
        self.options = options
        address = try Self.socketAddress(options.bind, port: options.port)
        server = HTTPServer(address: address, timeout: 30, logger: .disabled)
    }

    /// Whether an address is this machine only (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ bind: String) -> Bool {
        bind == "localhost" || bind == "::1" || bind.hasPrefix("127.")
    }

    static func socketAddress(_ bind: String, port: UInt16) throws(ServeError) -> any SocketAddress {
        let host = bind == "localhost" ? "127.0.0.1" : bind
        if host.contains(":") {
            guard let address = try? sockaddr_in6.inet6(ip6: host, port: port) else { throw .badBindAddress(bind) }
            return address
        }
        guard host.split(separator: ".").count == 4, let address = try? sockaddr_in.inet(ip4: host, port: port) else {
            throw .badBindAddress(bind)
        }
        return address
    }

    /// Starts listening and returns the port; throws if the address cannot be had.
    public func start() async throws(ServeError) -> UInt16 {
        let server = self.server
        let routes = Routes(board: board, events: events, texts: texts, options: options)
        await server.appendRoute("*") { request in await routes.handle(request) }
        let failure = FailureBox()
        let running = Task {
            do { try await server.run() } catch { failure.set(error) }
        }
        tasks.add(running)
        while !(await server.isListening) {
            if let error = failure.error {
                throw Self.explain(error, bind: options.bind, port: options.port)
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        startBroadcasting()
        guard case let .ip4(_, port)? = await server.listeningAddress else {
            if case let .ip6(_, port)? = await server.listeningAddress { return port }
            throw .cannotListen("the listening socket has no address")
        }
        return port
    }

    public func stop() async {
        await server.stop(timeout: 1)
        tasks.cancelAll()
    }

    static func explain(_ error: any Error, bind: String, port: UInt16) -> ServeError {
        if case let .failed(_, code, message)? = error as? SocketError {
            if code == EADDRINUSE { return .portInUse(address: bind, port: port) }
            return .cannotBind(address: bind, port: port, reason: message)
        }
        return .cannotListen("\(error)")
    }

    /// Every board change becomes one event, at most one per `eventGap`; a comment line every
    /// `keepAlive` lets a gone reader be noticed.
    private func startBroadcasting() {
        let (signals, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        board.observe { signal.yield() }
        let board = self.board, events = self.events, texts = self.texts, gap = options.eventGap, keepAlive = options.keepAlive
        tasks.add(Task {
            for await _ in signals {
                events.send(texts.of(board.snapshot()).event)
                try? await Task.sleep(for: gap)
            }
        })
        tasks.add(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                events.send(BoardEvents.keepAlive)
            }
        })
    }
}

/// What each path answers.
struct Routes: Sendable {
    let board: ClassBoard
    let events: BoardEvents
    let texts: BoardTexts
    let options: ClassServer.Options

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if request.path == "/healthz" {
            return text(.ok, "ok\n")
        }
        guard authorised(request) else {
            return text(.unauthorized, "klab serve: this dashboard needs its token: open the address `klab serve` printed, with ?token=...\n")
        }
        switch (request.method, request.path) {
        case (.GET, "/"):
            let page = BoardPage.classPage(texts.of(board.snapshot()).json, title: options.title)
            return respond(.ok, Data(page.utf8), type: "text/html; charset=utf-8")
        case (.GET, "/learner"):
            let query = options.token.map { "token=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
            guard let id = request.query["id"], let page = BoardPage.learnerPage(board.snapshot(), learner: id, tokenQuery: query) else {
                return text(.notFound, "klab serve: no such learner in this class\n")
            }
            return respond(.ok, Data(page.utf8), type: "text/html; charset=utf-8")
        case (.GET, "/api/class.json"):
            return respond(.ok, Data(JSONReport.render(board.snapshot().grade).utf8), type: "application/json")
        case (.GET, "/events"):
            let bytes = events.subscribe(first: Data("retry: 2000\n\n".utf8) + texts.of(board.snapshot()).event)
            var headers = securityHeaders("text/event-stream")
            headers[HTTPHeader("X-Accel-Buffering")] = "no"
            return HTTPResponse(statusCode: .ok, headers: headers, body: HTTPBodySequence(from: bytes))
        case (.POST, "/api/report"):
            return await report(request)
        case (_, "/"), (_, "/learner"), (_, "/api/class.json"), (_, "/events"), (_, "/api/report"):
            return text(.methodNotAllowed, "klab serve: \(request.method.rawValue) is not allowed on \(request.path)\n")
        default:
            return text(.notFound, "klab serve: nothing at \(request.path)\n")
        }
    }

    private func report(_ request: HTTPRequest) async -> HTTPResponse {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > ClassServer.reportLimit {
            return json(.payloadTooLarge, error: "a report is at most \(ClassServer.reportLimit) bytes")
        }
        guard let body = try? await request.bodyData, body.count <= ClassServer.reportLimit else {
            return json(.badRequest, error: "the report could not be read")
        }
        guard let report = try? JSONDecoder().decode(ProgressReport.self, from: body), report.format == ProgressReport.currentFormat else {
            return json(.badRequest, error: "not a klab progress report (format \(ProgressReport.currentFormat))")
        }
        do {
            try board.receive(report)
        } catch {
            switch error {
            case .noKey, .badSignature, .notOnRoster: return json(.forbidden, error: error.description)
            case .unknownStep: return json(.badRequest, error: error.description)
            }
        }
        return respond(.ok, Data(#"{"accepted":true}"#.utf8), type: "application/json")
    }

    /// The token from `?token=` or `Authorization: Bearer`, compared in constant time.
    private func authorised(_ request: HTTPRequest) -> Bool {
        guard let token = options.token else { return true }
        var offered = request.query["token"]
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") { offered = String(header.dropFirst(7)) }
        guard let offered else { return false }
        let a = Array(token.utf8), b = Array(offered.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Nothing from elsewhere, no caching, no referrer (the token may be in the address).
    private func securityHeaders(_ type: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        headers[HTTPHeader("X-Content-Type-Options")] = "nosniff"
        headers[HTTPHeader("Referrer-Policy")] = "no-referrer"
        headers[HTTPHeader("Content-Security-Policy")] =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
        return headers
    }

    private func respond(_ status: HTTPStatusCode, _ body: Data, type: String) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: securityHeaders(type), body: body)
    }

    private func text(_ status: HTTPStatusCode, _ message: String) -> HTTPResponse {
        respond(status, Data(message.utf8), type: "text/plain; charset=utf-8")
    }

    private func json(_ status: HTTPStatusCode, error: String) -> HTTPResponse {
        respond(status, Data((JSONWriter.compact(.object(JSONObject([("error", .string(error))]))) + "\n").utf8), type: "application/json")
    }
}

/// The board as the class page and the event stream carry it, written once per version of
/// the board: every open page, every event and every GET / between two changes share it.
// @unchecked: `version` and `stored` are read and written only under `lock`.
final class BoardTexts: @unchecked Sendable {
    private let lock = NSLock()
    private var version = -1
    private var stored = (json: "", event: Data())

    func of(_ snapshot: ClassBoard.Snapshot) -> (json: String, event: Data) {
        lock.lock()
        if version == snapshot.version {
            defer { lock.unlock() }
            return stored
        }
        lock.unlock()
        // Written outside the lock: two requests may both write a new version; either is right.
        let json = JSONWriter.goCompact(BoardPage.boardJSON(snapshot))
        let made = (json: json, event: BoardEvents.encode(event: "board", data: json))
        lock.lock()
        defer { lock.unlock() }
        if snapshot.version >= version {
            version = snapshot.version
            stored = made
        }
        return made
    }
}

/// The first error of the server's task, seen by `start` while it waits for the socket.
// @unchecked: `stored` is read and written only under `lock`.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    func set(_ error: any Error) { lock.lock(); stored = error; lock.unlock() }
    var error: (any Error)? { lock.lock(); defer { lock.unlock() }; return stored }
}

/// The server's background tasks, cancelled on stop.
// @unchecked: `tasks` is read and written only under `lock`.
final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Task<Void, Never>] = []
    func add(_ task: Task<Void, Never>) { lock.lock(); tasks.append(task); lock.unlock() }
    func cancelAll() {
        lock.lock()
        let all = tasks
        tasks = []
        lock.unlock()
        for task in all { task.cancel() }
    }
}
