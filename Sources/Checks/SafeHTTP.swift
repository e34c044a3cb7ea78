import Foundation
import KubeCore
import KubeJSON
import LabSpec

/// The `http` source as it runs on a grader's machine, where a URL may come from a learner's
/// cluster (a Service's load-balancer hostname): only `http` and `https`, never a link-local
/// or instance-metadata address (checked after DNS, and the checked address is the one
/// connected to), no redirect unless the check says `followRedirects` (and then never to
/// another scheme, nor to a forbidden address), a capped body. curl does the transfer, one
/// hop at a time, so every hop passes the same rules.
struct SafeHTTP {
    var environment: [String: String]?

    /// Most bytes of a body kept; a server that announces a larger one fails the request.
    static let bodyLimit = InputLimits.httpBodyBytes
    /// Most redirects followed.
    static let redirectLimit = 5

    /// Blocks no check may reach: IPv4 link-local (EC2, ECS and GCP metadata at
    /// 169.254.169.254, 169.254.170.2), IPv6 link-local, and the IPv6 EC2 metadata address.
    static let forbidden = ["169.254.0.0/16", "fe80::/10", "fd00:ec2::/64"].compactMap { CIDR($0) }

    func get(_ request: HTTPRequest) throws -> HTTPOutput {
        for header in request.headers where (header.name + header.value).unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) || header.name.contains(":") {
            return HTTPOutput(status: 0, body: "", error: "refused: the header \(FailureMessage.value(.string(header.name))) holds a line break or a colon")
        }
        let deadline = Date().addingTimeInterval(request.timeout)
        var url = request.url
        var scheme: String?
        for hop in 0...Self.redirectLimit {
            let target: Target
            switch Self.target(url) {
            case .failure(let refusal): return HTTPOutput(status: 0, body: "", error: refusal.reason)
            case .success(let t): target = t
            }
            if let scheme, scheme != target.scheme {
                return HTTPOutput(status: 0, body: "", error: "refused: a redirect from \(scheme) to \(url) changes the scheme")
            }
            scheme = target.scheme
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return HTTPOutput(status: 0, body: "", error: "no answer within \(GoFormat.percentV(request.timeout))s") }
            let answer = try transfer(url, target: target, request: request, timeout: remaining)
            guard request.followRedirects, (300..<400).contains(answer.output.status), let location = answer.location, !location.isEmpty else {
                return answer.output
            }
            if hop == Self.redirectLimit {
                return HTTPOutput(status: 0, body: "", error: "more than \(Self.redirectLimit) redirects")
            }
            url = location
        }
        return HTTPOutput(status: 0, body: "", error: "more than \(Self.redirectLimit) redirects")
    }

    struct Target {
        var scheme: String
        var host: String
        var port: Int
        /// The address curl connects to (checked), for `--resolve`; nil for an IP literal.
        var pinned: String?
    }

    struct Refusal: Error {
        var reason: String
    }

    /// The URL's scheme, host and port, and the address to connect to; a refusal when the URL
    /// is not http(s) or the host is (or resolves to) a forbidden address.
    static func target(_ url: String) -> Result<Target, Refusal> {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return .failure(Refusal(reason: "refused: \(FailureMessage.value(.string(url))) is not a URL"))
        }
        guard scheme == "http" || scheme == "https" else {
            return .failure(Refusal(reason: "refused: \(url) is not an http or https URL"))
        }
        guard var host = components.host, !host.isEmpty else {
            return .failure(Refusal(reason: "refused: \(url) has no host"))
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        if IPAddress.parse(host) != nil {
            if let reason = forbiddenReason(host) { return .failure(Refusal(reason: reason)) }
            return .success(Target(scheme: scheme, host: host, port: port, pinned: nil))
        }
        let addresses = resolve(host)
        guard !addresses.isEmpty else {
            // Not answered by anyone: a fact about the cluster (a load balancer's name not in DNS yet).
            return .failure(Refusal(reason: "could not resolve host: \(host)"))
        }
        for address in addresses {
            if let reason = forbiddenReason(address) { return .failure(Refusal(reason: reason + " (\(host) resolves to it)")) }
        }
        return .success(Target(scheme: scheme, host: host, port: port, pinned: addresses[0]))
    }

    static func forbiddenReason(_ address: String) -> String? {
        var ip = address
        // An IPv4-mapped IPv6 address reaches the IPv4 one.
        if ip.lowercased().hasPrefix("::ffff:"), IPAddress.parse(String(ip.dropFirst(7)))?.count == 4 { ip = String(ip.dropFirst(7)) }
        guard forbidden.contains(where: { $0.contains(ip) }) else { return nil }
        return "refused: \(address) is a link-local or instance-metadata address"
    }

    /// Every address the host name resolves to, numerically.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var next = list
        while let info = next {
            var buffer = [CChar](repeating: 0, count: 1025)
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                if !addresses.contains(text) { addresses.append(text) }
            }
            next = info.pointee.ai_next
        }
        return addresses
    }

    private static let statusMarker = "\nklab-http-status:"
    private static let locationMarker = "\nklab-http-location:"

    /// One request, no redirect followed.
    private func transfer(_ url: String, target: Target, request: HTTPRequest, timeout: Double) throws -> (output: HTTPOutput, location: String?) {
        var arguments = ["-sS", "--proto", "=http,https", "--max-time", GoFormat.percentV((timeout * 1000).rounded() / 1000),
                         "--max-filesize", String(Self.bodyLimit),
                         "-w", Self.statusMarker + "%{http_code}" + Self.locationMarker + "%{redirect_url}"]
        if let pinned = target.pinned {
            arguments += ["--resolve", "\(target.host):\(target.port):\(pinned.contains(":") ? "[\(pinned)]" : pinned)"]
        }
        if request.insecure { arguments.append("-k") }
        for header in request.headers { arguments += ["-H", "\(header.name): \(header.value)"] }
        arguments += ["--", url]
        let result: ProcessResult
        do {
            result = try ProcessRunner.run("curl", arguments, environment: environment, timeout: timeout + 5)
        } catch ProcessRunnerError.notFound {
            throw ClusterError.programNotInstalled(name: "curl")
        }
        let text = result.stdoutText
        guard result.status == 0, let status = text.range(of: Self.statusMarker, options: .backwards),
              let location = text.range(of: Self.locationMarker, options: .backwards), status.upperBound <= location.lowerBound,
              let code = Int(text[status.upperBound..<location.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            // No answer is a fact about the cluster (a load balancer not ready yet), not an error.
            let reason: String
            if result.timedOut {
                reason = "no answer within \(GoFormat.percentV(timeout))s"
            } else if result.status == 63 {
                reason = "the body is larger than \(Self.bodyLimit / 1024 / 1024) MiB"
            } else {
                reason = KubectlCluster.meaningfulLine(result.stderrText) ?? "curl exit status \(result.status)"
            }
            return (HTTPOutput(status: 0, body: "", error: reason), nil)
        }
        var body = String(text[..<status.lowerBound])
        if body.utf8.count > Self.bodyLimit {
            body = String(decoding: Array(body.utf8.prefix(Self.bodyLimit)), as: UTF8.self)
        }
        let redirect = String(text[location.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        return (HTTPOutput(status: code, body: body), redirect.isEmpty ? nil : redirect)
    }
}
