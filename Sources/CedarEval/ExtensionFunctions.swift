// The extension functions and methods of `ip`, `decimal`, `datetime` and `duration`,
// applied to already-evaluated arguments. Method calls `a.f(b)` arrive as `f(a, b)`.

import CedarSyntax

public enum ExtensionFunctions {
    /// Every extension function name with its arity (receiver included for methods).
    public static let arity: [String: Int] = [
        "ip": 1, "decimal": 1, "datetime": 1, "duration": 1,
        "isIpv4": 1, "isIpv6": 1, "isLoopback": 1, "isMulticast": 1, "isInRange": 2,
        "lessThan": 2, "lessThanOrEqual": 2, "greaterThan": 2, "greaterThanOrEqual": 2,
        "offset": 2, "durationSince": 2, "toDate": 1, "toTime": 1,
        "toMilliseconds": 1, "toSeconds": 1, "toMinutes": 1, "toHours": 1, "toDays": 1,
    ]

    public static func call(_ name: String, _ args: [Value]) throws(EvaluationError) -> Value {
        guard let n = arity[name] else { throw .unknownFunction(name) }
        guard args.count == n else { throw .wrongArity(function: name, expected: n, got: args.count) }
        func fail(_ e: ExtensionValueError) -> EvaluationError { .extensionFailure(function: name, message: e.message) }
        switch name {
        case "ip":
            let s = try string(args[0])
            do { return .ipaddr(try IPAddr(parsing: s)) } catch { throw fail(error) }
        case "decimal":
            let s = try string(args[0])
            do { return .decimal(try CedarDecimal(parsing: s)) } catch { throw fail(error) }
        case "datetime":
            let s = try string(args[0])
            do { return .datetime(try Datetime(parsing: s)) } catch { throw fail(error) }
        case "duration":
            let s = try string(args[0])
            do { return .duration(try Duration(parsing: s)) } catch { throw fail(error) }
        case "isIpv4": return .bool(try ipaddr(args[0]).isIPv4)
        case "isIpv6": return .bool(try ipaddr(args[0]).isIPv6)
        case "isLoopback": return .bool(try ipaddr(args[0]).isLoopback)
        case "isMulticast": return .bool(try ipaddr(args[0]).isMulticast)
        case "isInRange": return .bool(try ipaddr(args[0]).isInRange(try ipaddr(args[1])))
        case "lessThan": return .bool(try decimal(args[0]) < decimal(args[1]))
        case "lessThanOrEqual": return .bool(try decimal(args[0]) <= decimal(args[1]))
        case "greaterThan": return .bool(try decimal(args[0]) > decimal(args[1]))
        case "greaterThanOrEqual": return .bool(try decimal(args[0]) >= decimal(args[1]))
        case "offset":
            let d = try datetime(args[0]), by = try duration(args[1])
            guard let r = d.offset(by: by) else { throw .extensionFailure(function: name, message: "overflow when adding \(by) to \(d)") }
            return .datetime(r)
        case "durationSince":
            let a = try datetime(args[0]), b = try datetime(args[1])
            guard let r = a.durationSince(b) else { throw .extensionFailure(function: name, message: "overflow when subtracting \(b) from \(a)") }
            return .duration(r)
        case "toDate":
            let d = try datetime(args[0])
            guard let r = d.date else { throw .extensionFailure(function: name, message: "the date of \(d) is out of range") }
            return .datetime(r)
        case "toTime": return .duration(try datetime(args[0]).time)
        case "toMilliseconds": return .long(try duration(args[0]).milliseconds)
        case "toSeconds": return .long(try duration(args[0]).seconds)
        case "toMinutes": return .long(try duration(args[0]).minutes)
        case "toHours": return .long(try duration(args[0]).hours)
        case "toDays": return .long(try duration(args[0]).days)
        default: throw .unknownFunction(name)
        }
    }

    static func string(_ v: Value) throws(EvaluationError) -> String {
        guard case .string(let s) = v else { throw .typeMismatch(expected: ["string"], got: v.typeName) }
        return s
    }
    static func ipaddr(_ v: Value) throws(EvaluationError) -> IPAddr {
        guard case .ipaddr(let x) = v else { throw .typeMismatch(expected: ["ipaddr"], got: v.typeName) }
        return x
    }
    static func decimal(_ v: Value) throws(EvaluationError) -> CedarDecimal {
        guard case .decimal(let x) = v else { throw .typeMismatch(expected: ["decimal"], got: v.typeName) }
        return x
    }
    static func datetime(_ v: Value) throws(EvaluationError) -> Datetime {
        guard case .datetime(let x) = v else { throw .typeMismatch(expected: ["datetime"], got: v.typeName) }
        return x
    }
    static func duration(_ v: Value) throws(EvaluationError) -> Duration {
        guard case .duration(let x) = v else { throw .typeMismatch(expected: ["duration"], got: v.typeName) }
        return x
    }
}
