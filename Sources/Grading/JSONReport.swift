import Foundation
import KubeJSON

/// The class as JSON: every learner with each lab's steps (status, points, messages), the
/// totals and the flags. `Output` is what is printed, key for key in declaration order;
/// `klab serve`'s `/api/class.json` is the same text.
public enum JSONReport {
    public static func value(_ grade: ClassGrade) -> JSONValue {
        // Encoding these types cannot fail: they hold only strings, numbers, bools and arrays.
        (try? JSONValueEncoder().encode(Output(grade))) ?? .null
    }

    public static func render(_ grade: ClassGrade) -> String { JSONWriter.pretty(value(grade)) + "\n" }

    struct Output: Encodable {
        var mode: String
        var labs: [String]
        /// One line about the class-wide key (`ClassGrade.keyNote`), or null.
        var note: String?
        var learners: [Learner]

        init(_ grade: ClassGrade) {
            mode = grade.mode
            labs = grade.labs
            note = grade.keyNote
            learners = grade.learners.map(Learner.init)
        }
    }

    struct Learner: Encodable {
        var learner: String
        var source: String
        var points: Points
        var maxPoints: Points
        var signedWith: String?
        var labs: [Lab]
        var flags: [Flag]

        init(_ grade: LearnerGrade) {
            learner = grade.learner
            source = grade.source
            points = Points(grade.points)
            maxPoints = Points(grade.maxPoints)
            signedWith = grade.signedWith
            labs = grade.labs.map(Lab.init)
            flags = grade.flags.map(Flag.init)
        }
    }

    struct Lab: Encodable {
        var lab: String
        var started: Bool
        var points: Points
        var maxPoints: Points
        var notEvaluated: [String]
        var steps: [Step]

        init(_ grade: LabGrade) {
            lab = grade.lab
            started = grade.started
            points = Points(grade.points)
            maxPoints = Points(grade.maxPoints)
            notEvaluated = grade.notEvaluated
            steps = grade.steps.map(Step.init)
        }
    }

    struct Step: Encodable {
        var step: String
        var status: StepGrade.Status
        var points: Points
        var maxPoints: Points
        var messages: [String]

        init(_ grade: StepGrade) {
            step = grade.step
            status = grade.status
            points = Points(grade.points)
            maxPoints = Points(grade.maxPoints)
            messages = grade.messages
        }
    }

    struct Flag: Encodable {
        var kind: GradeFlag.Kind
        var lab: String?
        var step: String?
        var detail: String

        init(_ flag: GradeFlag) {
            kind = flag.kind
            lab = flag.lab
            step = flag.step
            detail = flag.detail
        }
    }

    /// Points as a reader expects them: a whole number without a fraction (`4`, not `4.0`),
    /// partial points as they are (`2.5`).
    struct Points: Encodable {
        var value: Double

        init(_ value: Double) { self.value = value }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            if value == value.rounded() && abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        }
    }
}
