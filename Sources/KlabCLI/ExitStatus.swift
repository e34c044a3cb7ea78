/// The exit codes, the same for every command (README "Exit codes"): 0 done, 1 checks
/// failed, 2 bad usage or input, 3 the environment (kubectl, the cluster, credentials),
/// 4 the workspace.
public enum ExitStatus: Int32, Error {
    case success = 0
    case checksFailed = 1
    case badInput = 2
    case environment = 3
    case workspace = 4
}
