/// Something a lab file mentions that only the linter checks (a file, a JSONPath, a regex...),
/// with where it was written. Recorded in document order, so "an earlier check" means earlier
/// in the file.
enum LabReference: Equatable {
    case jsonPath(String, SourceLocation)
    case regex(String, key: String, SourceLocation)
    case quantity(String, SourceLocation)
    /// An RFC 3339 timestamp written in a `time` comparison.
    case time(String, SourceLocation)
    /// A capture's `regex` and the `group` it keeps.
    case regexGroup(String, Int, SourceLocation)
    /// The arguments of a `command` or an `exec` (for the shell and flag warnings).
    case arguments([String], SourceLocation)
    /// A CIDR block the lab wrote, under `key` (`cidr` or `subnetOf`).
    case cidr(String, key: String, SourceLocation)
    /// A label selector (`labels:` of a get or an exec).
    case labelSelector(String, SourceLocation)
    /// A field selector, with the kind it selects (which fields are allowed depends on it).
    case fieldSelector(String, kind: String, SourceLocation)
    case manifest(String, SourceLocation)
    case content(String, SourceLocation)
    /// `${name}`s used in a string.
    case variables([String], SourceLocation)
    /// A check captures this name.
    case captured(String, SourceLocation)
    /// The completion checks start: they run on their own, so step captures do not reach them.
    case completionBegins
    case stepID(String, SourceLocation)
    case parameterName(String, SourceLocation)
    case labID(String, SourceLocation)
    case formatVersion(String, SourceLocation)
}

