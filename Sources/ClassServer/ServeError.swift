import Foundation

/// Why the dashboard could not start; `exitCode` is the README's (2 bad usage, 3 environment).
public enum ServeError: Error, CustomStringConvertible, Equatable {
    case badBindAddress(String)
    case portInUse(address: String, port: UInt16)
    case cannotBind(address: String, port: UInt16, reason: String)
    case cannotListen(String)

    public var description: String {
        switch self {
        case .badBindAddress(let address):
            return "--bind \(address) is not an IP address; give one of this machine's, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every network, with a token)"
        case let .portInUse(address, port):
            return "port \(port) on \(address) is in use by another program; choose another with --port (--port 0 picks a free one)"
        case let .cannotBind(address, port, reason):
            return "cannot listen on \(address) port \(port): \(reason); check --bind and --port"
        case .cannotListen(let reason):
            return "the dashboard could not start listening: \(reason)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .badBindAddress: return 2
        default: return 3
        }
    }
}
