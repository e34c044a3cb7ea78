import KubeJSON
import XCTest

/// Printer mode, feature by feature. Every expected string is what kubectl v1.32 printed for the
/// same object: `kubectl label --local -f OBJ.json zzprobe- -o jsonpath='TEMPLATE'`.
final class JSONPathPrinterTests: XCTestCase {
    static let pod = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web-0","namespace":"shop",
                     "labels":{"app.kubernetes.io/name":"web","tier":"fe"},
                     "annotations":{"note":"<b>&"}},
         "spec":{"nodeName":"ip-10-0-1-5",
                 "containers":[{"name":"app","image":"nginx:1.27","ports":[{"containerPort":80}],
                                "resources":{"limits":{"cpu":"500m"}}},
                               {"name":"sidecar","image":"envoy:1.30","ports":[]}],
                 "tolerations":[]},
         "status":{"phase":"Running","restarts":3,"ratio":2.5,"big":1500000.0,"tiny":0.00001,
                   "ready":true,"gone":null,
                   "conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}]}}
        """

    private func out(_ template: String, _ json: String = pod, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            return try JSONPath(template).print(try JSONParser.parse(json))
        } catch {
            XCTFail("\(template): \(error)", file: file, line: line)
            return nil
        }
    }

    private func executeError(_ template: String, _ json: String = pod, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let printed = try JSONPath(template).print(try JSONParser.parse(json))
            XCTFail("\(template) printed \(printed) instead of failing", file: file, line: line)
        } catch let error as JSONPathError {
            XCTAssertEqual(error.kind, .execute, file: file, line: line)
            return error.message
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func testFieldsAndRoots() {
        XCTAssertEqual(out("{.metadata.name}"), "web-0")
        XCTAssertEqual(out("{$.metadata.name}"), "web-0")
        XCTAssertEqual(out("{@.metadata.name}"), "web-0")
        XCTAssertEqual(out("{.metadata['name']}"), "web-0")
    }

    func testTextOutsideBracesAndQuotedLiterals() {
        XCTAssertEqual(out("name: {.metadata.name} } done"), "name: web-0 } done")
        XCTAssertEqual(out(#"{.metadata.name}{"\n"}"#), "web-0\n")
        XCTAssertEqual(out(#"{'\t'}x{"\u00e9\x41\101"}"#), "\txéAA")
        XCTAssertEqual(out(#"{'a"b'}{"a'b"}"#), "a\"ba'b")
        // Within one action each step applies to what the previous one produced: a literal wins.
        XCTAssertEqual(out(#"{.metadata.name "x"}"#), "x")
        XCTAssertEqual(out(#"{.missing "x"}"#), "x")
    }

    func testHowValuesPrint() {
        XCTAssertEqual(out("{.status.restarts}"), "3")
        XCTAssertEqual(out("{.status.ratio}"), "2.5")
        XCTAssertEqual(out("{.status.big}"), "1.5e+06")
        XCTAssertEqual(out("{.status.tiny}"), "1e-05")
        XCTAssertEqual(out("{.status.ready}"), "true")
        XCTAssertEqual(out("{.status.gone}"), "null")
        // Maps and arrays print as json.Marshal: sorted keys, HTML characters escaped.
        XCTAssertEqual(out("{.metadata.annotations}"), #"{"note":"\u003cb\u003e\u0026"}"#)
        XCTAssertEqual(out("{.spec.containers[0].ports}"), #"[{"containerPort":80}]"#)
        // Strings print raw.
        XCTAssertEqual(out("{.metadata.annotations.note}"), "<b>&")
        XCTAssertEqual(out("{}", #"{"b":[1.0,null],"a":{}}"#), #"{"a":{},"b":[1,null]}"#)
    }

    func testMissingKeysPrintNothing() {
        XCTAssertEqual(out("{.spec.missing}"), "")
        XCTAssertEqual(out("{.spec.missing.deeper[3]}"), "")
        XCTAssertEqual(out("{.status.gone.x}"), "")
        XCTAssertEqual(out("{.status.gone[0]}"), "")
        XCTAssertEqual(out("{.metadata.name.x}"), "")
        XCTAssertEqual(out("{.}"), "")
    }

    func testEscapedDotsAndBracketKeys() {
        XCTAssertEqual(out(#"{.metadata.labels.app\.kubernetes\.io/name}"#), "web")
        // kubectl reads ['a.b'] as .a.b, so this finds nothing.
        XCTAssertEqual(out("{.metadata.labels['app.kubernetes.io/name']}"), "")
        XCTAssertEqual(out(#"{.metadata.labels['app\.kubernetes\.io/name']}"#), "web")
    }

    func testResultsOfOneExpressionAreJoinedBySpaces() {
        XCTAssertEqual(out("{.spec.containers[*].name}"), "app sidecar")
        XCTAssertEqual(out("{.spec.containers[*].name}{.spec.containers[*].image}"), "app sidecarnginx:1.27 envoy:1.30")
    }

    func testIndicesAndSlices() {
        XCTAssertEqual(out("{.spec.containers[1].name}"), "sidecar")
        XCTAssertEqual(out("{.spec.containers[-1].name}"), "sidecar")
        XCTAssertEqual(out("{.spec.containers[-2].name}"), "app")
        XCTAssertEqual(out("{.spec.containers[0:1].name}"), "app")
        XCTAssertEqual(out("{.spec.containers[:-1].name}"), "app")
        XCTAssertEqual(out("{.spec.containers[-1:].name}"), "sidecar")
        XCTAssertEqual(out("{.spec.containers[::2].name}"), "app")
        XCTAssertEqual(out("{.spec.containers[1:1].name}"), "")
        // `[]` is `[0]`.
        XCTAssertEqual(out("{.spec.containers[].name}"), "app")
        XCTAssertEqual(out("{.spec.tolerations[*]}"), "")
    }

    func testEmptyArrayUnderStarStopsTheWholeStep() {
        // kubectl returns as soon as one input asks for zero elements: the items after the
        // empty `ports` are dropped (kubectl printed "80" here, not "80" plus later items).
        let json = #"{"a":[{"p":[1]},{"p":[]},{"p":[2]}]}"#
        XCTAssertEqual(out("{.a[*].p[*]}", json), "1")
    }

    func testUnions() {
        XCTAssertEqual(out("{.spec.containers[0,1].name}"), "app sidecar")
        XCTAssertEqual(out("{.spec.containers[1, 0].name}"), "sidecar app")
        XCTAssertEqual(out("{.spec.containers[0]['name','image']}"), "app nginx:1.27")
        XCTAssertEqual(out("{.spec.containers[*]['name','image']}"), "app sidecar nginx:1.27 envoy:1.30")
    }

    func testWildcardAndRecursiveDescent() {
        XCTAssertEqual(out("{.spec.containers[0].resources.*}"), #"{"cpu":"500m"}"#)
        XCTAssertEqual(out("{.spec.containers[*].ports[*].containerPort}"), "80")
        XCTAssertEqual(out("{..containerPort}"), "80")
        XCTAssertEqual(Set(out("{..name}")?.split(separator: " ") ?? []), ["web-0", "app", "sidecar"])
        XCTAssertEqual(Set(out("{.spec..name}")?.split(separator: " ") ?? []), ["app", "sidecar"])
        // `*` over a string yields its bytes, printed as numbers.
        XCTAssertEqual(out("{.status.phase.*}", #"{"status":{"phase":"Up"}}"#), "85 112")
    }

    func testFilters() {
        XCTAssertEqual(out(#"{.status.conditions[?(@.type=="Ready")].status}"#), "True")
        XCTAssertEqual(out("{.status.conditions[?(@.type=='Ready')].status}"), "True")
        XCTAssertEqual(out(#"{.status.conditions[?(@.type!="Ready")].type}"#), "PodScheduled")
        XCTAssertEqual(out(#"{.status.conditions[?(@.type < "Q")].type}"#), "PodScheduled")
        XCTAssertEqual(out("{.spec.containers[?(@.resources)].name}"), "app")
        XCTAssertEqual(out("{.spec.containers[?(@.ports[0].containerPort==80)].name}", #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]}}"#), "a")
        let numbers = #"{"n":[1,2,3],"b":[{"on":true,"id":"x"},{"on":false,"id":"y"}]}"#
        XCTAssertEqual(out("{.n[?(@>1)]}", numbers), "2 3")
        XCTAssertEqual(out("{.n[?(@ >= 2)]}", numbers), "2 3")
        XCTAssertEqual(out("{.n[?(@<=2)]}", numbers), "1 2")
        XCTAssertEqual(out("{.n[?(2<@)]}", numbers), "3")
        XCTAssertEqual(out("{.n[?(@==-1)]}", numbers), "")
        XCTAssertEqual(out("{.b[?(@.on==true)].id}", numbers), "x")
        XCTAssertEqual(out("{.b[?(@.on==false)].id}", numbers), "y")
        // Existence keeps an element when its path has a value, even false.
        XCTAssertEqual(out("{.b[?(@.on)].id}", numbers), "x y")
        // A filter whose left side is missing skips the element.
        XCTAssertEqual(out("{.b[?(@.nope==1)].id}", numbers), "")
        // An existence test ignores an error and keeps what the failing step returned.
        XCTAssertEqual(out("{.a[?(@.c[0])].n}", #"{"a":[{"n":"x","c":[1]},{"n":"y","c":[]}]}"#), "x y")
    }

    func testRange() {
        XCTAssertEqual(out(#"{range .spec.containers[*]}{.name}={.image}{"\n"}{end}"#), "app=nginx:1.27\nsidecar=envoy:1.30\n")
        XCTAssertEqual(
            out("{range .spec.containers[*]}{.name}:{range .ports[*]}{.containerPort},{end};{end}"),
            "app:80,;sidecar:;")
        XCTAssertEqual(out("{range .spec.tolerations[*]}{.key}{end}after"), "after")
        XCTAssertEqual(out("{range .nothing}{.x}{end}z"), "z")
        // A range over a map runs once, with the map.
        XCTAssertEqual(out("{range .spec.containers[0].resources}[{.limits.cpu}]{end}"), "[500m]")
        // Without `end` the range body runs per item, then once more against the object itself.
        XCTAssertEqual(out("{range .spec.containers[*]}{.name}"), "appsidecar")
        XCTAssertEqual(out("{range .spec.containers[*]}{.name}{end}{.metadata.name}"), "appsidecarweb-0")
        // Inside a range a null item is lost: `{@}` prints "<no value>", not "null".
        XCTAssertEqual(out("{range .a[*]}[{@}]{end}", #"{"a":[1,null,"x"]}"#), "[1][<no value>][x]")
        XCTAssertEqual(out("{range .a}[{@}]{end}", #"{"a":null}"#), "[<no value>]")
        XCTAssertEqual(out("{range .a[*]}{.v},{end}", #"{"a":[{"v":null}]}"#), "null,")
    }

    func testExecutionErrorsInKubectlsWords() {
        XCTAssertEqual(executeError("{.spec.containers[5]}"), "array index out of bounds: index 5, length 2")
        XCTAssertEqual(executeError("{.spec.tolerations[0]}"), "array index out of bounds: index 0, length 0")
        XCTAssertEqual(executeError("{.spec.containers[-3]}"), "array index out of bounds: index -1, length 2")
        XCTAssertEqual(executeError("{.spec.containers[0:9]}"), "array index out of bounds: index 8, length 2")
        XCTAssertEqual(executeError("{.spec.containers[1:0]}"), "starting index 1 is greater than ending index 0")
        XCTAssertEqual(executeError("{.spec.containers[::0]}"), "step must be > 0")
        XCTAssertEqual(executeError("{.spec.containers[*].ports[0]}"), "array index out of bounds: index 0, length 0")
        XCTAssertEqual(executeError("{.metadata[0]}"), "map[string]interface {} is not array or slice")
        XCTAssertEqual(executeError("{.metadata.name[0]}"), "string is not array or slice")
        XCTAssertEqual(executeError("{.status.restarts[0]}"), "int64 is not array or slice")
        XCTAssertEqual(executeError("{.status.restarts[?(@.x)]}"), "3 is not array or slice and cannot be filtered")
        XCTAssertEqual(executeError("{.status.gone[?(@.x)]}"), "<nil> is not array or slice and cannot be filtered")
        XCTAssertEqual(
            executeError("{.spec.containers[0].resources[?(@.x)]}"),
            "map[limits:map[cpu:500m]] is not array or slice and cannot be filtered")
        XCTAssertEqual(executeError("{end}"), "not in range, nothing to end")
        XCTAssertEqual(executeError("{range .spec.containers[*]}{end}{end}"), "not in range, nothing to end")
        XCTAssertEqual(executeError("{.a b}"), "unrecognized identifier b")
        XCTAssertEqual(executeError(#"{.status.conditions[?(@.type==nil)]}"#), "unrecognized identifier nil")
        XCTAssertEqual(executeError("{.status.conditions[?(@.type=1)]}"), "unrecognized filter operator =")
        XCTAssertEqual(executeError("{.status.conditions[?(@.type<>1)]}"), "unrecognized filter operator <>")
    }

    func testFilterComparisonErrors() {
        let mixed = #"{"i":[{"v":1}],"f":[{"v":2.5}],"s":[{"v":"s"}],"n":[{"v":null}],"m":[{"v":{}}],"b":[{"v":true}],"two":[{"v":1},{"v":2.5}]}"#
        // Go compares only values of one kind: int64 with an int literal, float64 with a float one.
        XCTAssertEqual(executeError("{.f[?(@.v==1)]}", mixed), "incompatible types for comparison")
        XCTAssertEqual(executeError("{.i[?(@.v==2.5)]}", mixed), "incompatible types for comparison")
        XCTAssertEqual(executeError("{.s[?(@.v==1)]}", mixed), "incompatible types for comparison")
        XCTAssertEqual(executeError(#"{.i[?(@.v=="1")]}"#, mixed), "incompatible types for comparison")
        XCTAssertEqual(executeError("{.n[?(@.v==1)]}", mixed), "invalid type for comparison")
        XCTAssertEqual(executeError("{.m[?(@.v==1)]}", mixed), "invalid type for comparison")
        XCTAssertEqual(executeError("{.b[?(@.v<true)]}", mixed), "invalid type for comparison")
        XCTAssertEqual(out("{.b[?(@.v==true)].v}", mixed), "true")
        // The first element matches before the second one fails: kubectl still fails.
        XCTAssertEqual(executeError("{.two[?(@.v==1)].v}", mixed), "incompatible types for comparison")
        XCTAssertEqual(executeError("{.a[?(@.v[*]==1)]}", #"{"a":[{"v":[1,2]}]}"#), "can only compare one element at a time")
    }

    func testParseErrorsInKubectlsWords() {
        let cases: [(String, String)] = [
            ("{.a[", "unterminated array"),
            ("{.a", "unclosed action"),
            ("{..*}", "unrecognized character in action: U+002A '*'"),
            ("{*}", "unrecognized character in action: U+002A '*'"),
            ("{.a\t.b}", "unrecognized character in action: U+0009"),
            (#"{.a[?(@.v=~"s")]}"#, "unrecognized character in action: U+007E '~'"),
            ("{.a == 1}", "unrecognized character in action: U+003D '='"),
            (#"{.metadata["name"]}"#, #"invalid array index "name""#),
            ("{.a[x]}", "invalid array index x"),
            ("{.a[ 'b' ]}", "invalid array index  'b' "),
            ("{.a[0,x]}", "invalid array index x"),
            ("{.a[-]}", "array index - is not a number"),
            ("{.a[99999999999999999999]}", "array index 99999999999999999999 is not a number"),
            ("{.a[:1:2:3]}", "invalid array index :1:2:3"),
            ("{.a[+1]}", "invalid array index +1"),
            ("{.a[?(@.i==1)]", "unclosed action"),
            ("{.a[?(@.i==1)}", "unclosed array expect ]"),
            ("{.a[?(@.i==1", "unterminated filter"),
            ("{.a[?(@==)]}", "unrecognized character in action: U+003D '='"),
            (#"{"\q"}"#, #"unquote string "\q" error invalid syntax"#),
            (#"{'\"'}"#, #"unquote string '\"' error invalid syntax"#),
            (#"{"abc}"#, "unterminated quoted string"),
            ("{1.2.3}", "cannot parse number 1.2.3"),
            ("{.a....b}", "invalid multiple recursive descent"),
        ]
        for (template, message) in cases {
            XCTAssertThrowsError(try JSONPath(template), template) { error in
                XCTAssertEqual(error as? JSONPathError, JSONPathError(kind: .parse, message: message, template: template), template)
            }
        }
    }

    func testErrorDescriptionsAreKubectlsFirstLine() throws {
        // kubectl: error: error parsing jsonpath {.a[}, unterminated array
        XCTAssertThrowsError(try JSONPath("{.a[}")) { error in
            XCTAssertEqual("\(error)", "error parsing jsonpath {.a[}, unterminated array")
        }
        // kubectl: error: error executing jsonpath "{.a[\"x\"]...": Error executing template: ...
        let path = try JSONPath(#"{.s[?(@.v=="x")]}{.a[5]}"#)
        XCTAssertThrowsError(try path.print(JSONParser.parse(#"{"a":[1]}"#))) { error in
            XCTAssertEqual("\(error)", #"error executing jsonpath "{.s[?(@.v==\"x\")]}{.a[5]}": array index out of bounds: index 5, length 1"#)
        }
    }

    func testLiterals() {
        XCTAssertEqual(out("{true}"), "true")
        XCTAssertEqual(out("{-3.5}"), "-3.5")
        XCTAssertEqual(out("{42}"), "42")
        XCTAssertEqual(out(#"{"a" "b"}"#), "b")
    }

    func testOneTemplateServesManyObjects() throws {
        let path = try JSONPath(#"{range .items[*]}{.n}{"\n"}{end}"#)
        XCTAssertEqual(try path.print(JSONParser.parse(#"{"items":[{"n":1},{"n":2}]}"#)), "1\n2\n")
        XCTAssertEqual(try path.print(JSONParser.parse(#"{"items":[{"n":3}]}"#)), "3\n")
    }
}
