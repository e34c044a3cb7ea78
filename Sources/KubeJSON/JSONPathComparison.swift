/// The comparison of Go's text/template (`eq`, `lt`, ...), which kubectl's filters use: values of
/// different kinds never compare (an int64 field against `2.5` is an error), booleans only
/// compare for equality, and null, maps and arrays are not comparable at all.
enum GoComparison {
    struct Failure: Error {
        var message: String
    }

    private enum Basic {
        case bool(Bool)
        case int(Int64)
        case uint(UInt64)
        case float(Double)
        case string(String)
    }

    private static let badType = Failure(message: "invalid type for comparison")
    private static let incompatible = Failure(message: "incompatible types for comparison")

    private static func basic(_ value: JSONPathValue) throws -> Basic {
        switch value {
        case .json(.bool(let b)): return .bool(b)
        case .json(.int(let n)): return .int(n)
        case .json(.double(let d)): return .float(d)
        case .json(.string(let s)): return .string(s)
        case .goInt(let n): return .int(Int64(n))
        case .byte(let b): return .uint(UInt64(b))
        default: throw badType
        }
    }

    static func evaluate(_ lhs: JSONPathValue, _ op: String, _ rhs: JSONPathValue) throws -> Bool {
        switch op {
        case "==": return try eq(lhs, rhs)
        case "!=": return try !eq(lhs, rhs)
        case "<": return try lt(lhs, rhs)
        case ">": return try !le(lhs, rhs)
        case "<=": return try le(lhs, rhs)
        case ">=": return try !lt(lhs, rhs)
        default: throw Failure(message: "unrecognized filter operator \(op)")
        }
    }

    private static func eq(_ lhs: JSONPathValue, _ rhs: JSONPathValue) throws -> Bool {
        let a = try basic(lhs)
        let b = try basic(rhs)
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.int(let x), .uint(let y)): return x >= 0 && UInt64(x) == y
        case (.uint(let x), .int(let y)): return y >= 0 && x == UInt64(y)
        default: throw incompatible
        }
    }

    private static func lt(_ lhs: JSONPathValue, _ rhs: JSONPathValue) throws -> Bool {
        let a = try basic(lhs)
        let b = try basic(rhs)
        switch (a, b) {
        case (.bool, .bool): throw badType
        case (.int(let x), .int(let y)): return x < y
        case (.uint(let x), .uint(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.int(let x), .uint(let y)): return x < 0 || UInt64(x) < y
        case (.uint(let x), .int(let y)): return y >= 0 && x < UInt64(y)
        default: throw incompatible
        }
    }

    private static func le(_ lhs: JSONPathValue, _ rhs: JSONPathValue) throws -> Bool {
        if try lt(lhs, rhs) { return true }
        return try eq(lhs, rhs)
    }
}

/// Check mode's comparison: numbers compare by value whatever their kind (3 == 3.0), strings
/// byte-wise, booleans for (in)equality; anything else is false, with a note saying why.
enum CheckComparison {
    enum Outcome: Equatable {
        case result(Bool)
        case problem(String)
    }

    private enum Operand {
        case number(Double, exact: Int64?)
        case string(String)
        case bool(Bool)
        case other(String)
    }

    private static func operand(_ value: JSONPathValue) -> Operand {
        switch value {
        case .json(.int(let n)): return .number(Double(n), exact: n)
        case .json(.double(let d)): return .number(d, exact: nil)
        case .goInt(let n): return .number(Double(n), exact: Int64(n))
        case .byte(let b): return .number(Double(b), exact: Int64(b))
        case .json(.string(let s)): return .string(s)
        case .json(.bool(let b)): return .bool(b)
        case .json(let other): return .other(other.typeName)
        case .invalid: return .other("nothing")
        }
    }

    private static func name(_ operand: Operand) -> String {
        switch operand {
        case .number: return "number"
        case .string: return "string"
        case .bool: return "boolean"
        case .other(let name): return name
        }
    }

    static func evaluate(_ lhs: JSONPathValue, _ op: String, _ rhs: JSONPathValue) -> Outcome {
        guard ["==", "!=", "<", ">", "<=", ">="].contains(op) else {
            return .problem("unrecognized filter operator \(op): treated as false")
        }
        let a = operand(lhs)
        let b = operand(rhs)
        let order: Int
        switch (a, b) {
        case (.number(let x, let xi), .number(let y, let yi)):
            if let xi, let yi {
                order = xi < yi ? -1 : xi == yi ? 0 : 1
            } else {
                order = x < y ? -1 : x == y ? 0 : 1
            }
        case (.string(let x), .string(let y)):
            order = x.utf8.elementsEqual(y.utf8) ? 0 : x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
        case (.bool(let x), .bool(let y)):
            switch op {
            case "==": return .result(x == y)
            case "!=": return .result(x != y)
            default: return .problem("filter ordered booleans with \(op): treated as false")
            }
        default:
            return .problem("filter compared a \(name(a)) with a \(name(b)): treated as false")
        }
        switch op {
        case "==": return .result(order == 0)
        case "!=": return .result(order != 0)
        case "<": return .result(order < 0)
        case ">": return .result(order > 0)
        case "<=": return .result(order <= 0)
        default: return .result(order >= 0)
        }
    }
}
