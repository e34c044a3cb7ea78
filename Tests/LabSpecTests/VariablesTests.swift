import XCTest
@testable import LabSpec

/// `${name}` references in check strings: found, replaced, or left as written.
final class VariablesTests: XCTestCase {
    func testAReferenceIsFoundOnlyWhereDollarAndBraceMeet() {
        for text in ["${x}", "a${", "$${x}", "ü${x}ü", "${"] { XCTAssertTrue(Variables.mayReference(text), text) }
        for text in ["", "$", "{", "$ {x}", "{$}", "$x{", "plain", "ü$ü{"] { XCTAssertFalse(Variables.mayReference(text), text) }
    }

    func testSubstituteReplacesKnownNamesAndKeepsTheRest() {
        XCTAssertEqual(Variables.substitute("ns ${namespace}, ${other} ${", ["namespace": "team-a"]), "ns team-a, ${other} ${")
        XCTAssertEqual(Variables.substitute("no reference $ {x}", ["x": "y"]), "no reference $ {x}")
    }
}
