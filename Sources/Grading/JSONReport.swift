import Foundation
import KubeJSON

/// The class as JSON: every learner with each lab's steps (status, points, messages), the
/// totals and the flags.
public enum JSONReport {
    public static func value(_ grade: ClassGrade) -> JSONValue {
        .object(JSONObject([
            ("mode", .string(grade.mode)),
            ("labs", .array(grade.labs.map(JSONValue.string))),
            ("note", grade.keyNote.map(JSONValue.string) ?? .null),
            ("learners", .array(grade.learners.map(learner))),
        ]))
    }

    public static func render(_ grade: ClassGrade) -> String { JSONWriter.pretty(value(grade)) + "\n" }

    static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
    }

    static func learner(_ grade: LearnerGrade) -> JSONValue {
        .object(JSONObject([
            ("learner", .string(grade.learner)),
            ("source", .string(grade.source)),
            ("points", number(grade.points)),
            ("maxPoints", number(grade.maxPoints)),
            ("signedWith", grade.signedWith.map(JSONValue.string) ?? .null),
            ("labs", .array(grade.labs.map { lab in
                .object(JSONObject([
                    ("lab", .string(lab.lab)), ("started", .bool(lab.started)),
                    ("points", number(lab.points)), ("maxPoints", number(lab.maxPoints)),
                    ("notEvaluated", .array(lab.notEvaluated.map(JSONValue.string))),
                    ("steps", .array(lab.steps.map { step in
                        .object(JSONObject([
                            ("step", .string(step.step)), ("status", .string(step.status.rawValue)),
                            ("points", number(step.points)), ("maxPoints", number(step.maxPoints)),
                            ("messages", .array(step.messages.map(JSONValue.string))),
                        ]))
                    })),
                ]))
            })),
            ("flags", .array(grade.flags.map { flag in
                .object(JSONObject([
                    ("kind", .string(flag.kind.rawValue)),
                    ("lab", flag.lab.map(JSONValue.string) ?? .null),
                    ("step", flag.step.map(JSONValue.string) ?? .null),
                    ("detail", .string(flag.detail)),
                ]))
            })),
        ]))
    }
}
