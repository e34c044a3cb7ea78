import Checks
import Crypto
import Foundation

/// Per-learner signing keys: HKDF-SHA256 of the class key with the learner id, so a learner
/// holding their own key cannot sign as anyone else, and the grader, holding the class key,
/// re-derives each learner's key from the roster. A key is 64 hex digits, used as a class key
/// file or `KLAB_CLASS_KEY` is (its text is the key).
public enum LearnerKeys {
    static let salt = Data("klab learner key v1".utf8)

    public static func key(classKey: Data, learner: String) -> String {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: classKey), salt: salt, info: Data(learner.utf8), outputByteCount: 32)
        return derived.withUnsafeBytes { ContentDigest.hex($0) }
    }
}
