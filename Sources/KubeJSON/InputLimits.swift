/// The bounds on what klab reads from input it did not write: lab packages from a course
/// repository, snapshots and evidence from learners, kubectl/aws/helm output, hand-ins,
/// rosters. Past a bound klab stops with one line naming the input and the bound (exit 2 for a
/// file, 3 for a program's output) or, grading, marks the hand-in unreadable: it never runs out
/// of memory, time or stack on someone else's input. The one place these numbers live;
/// content/reference/limits.md states them for users and a test keeps the two equal.
public enum InputLimits {
    /// Deepest nesting of arrays and objects in JSON; Go's `encoding/json` limit, which kubectl
    /// inherits, so `klab jsonpath` refuses exactly what kubectl refuses.
    public static let jsonDepth = 10_000
    /// Deepest nesting of YAML collections (lab files, manifests, YAML snapshots): libyaml's
    /// own limit (its MAX_NESTING_LEVEL), which `YAMLBounds` reports in klab's words.
    public static let yamlDepth = 1_000
    /// Most values one YAML document may expand to once its aliases are followed (a "billion
    /// laughs" document names a few anchors and expands to billions).
    public static let yamlNodes = 1_000_000
    /// Longest JSONPath template, in bytes (kubectl's own are a few hundred).
    public static let jsonPathTemplateBytes = 16 * 1024
    /// The stack klab's commands and grading workers run on (`DeepStack`): what `jsonDepth`
    /// levels of recursion need, with room to spare.
    public static let stackBytes = 512 << 20

    /// Largest file of a snapshot (or of a step's evidence).
    public static let snapshotFileBytes = 64 << 20
    /// Largest file of a lab package (`lab.yaml`, a manifest, a step's prose) and largest roster.
    public static let labFileBytes = 8 << 20
    /// Largest JSON file given to `klab jsonpath` (or read on its standard input).
    public static let jsonInputBytes = 256 << 20

    /// Most bytes of stdout kept from a `kubectl get` (or any program klab reads JSON from);
    /// more ends the program and fails the read.
    public static let programOutputBytes = 128 << 20
    /// Most bytes of stdout (and of stderr) kept from an `exec` or `command` check, and from any
    /// program's stderr; the rest is cut off and the program ended.
    public static let execOutputBytes = 1 << 20
    /// Most bytes of an `http` check's response body kept.
    public static let httpBodyBytes = 1 << 20

    /// A hand-in (workspace folder or bundle) is unreadable past these.
    public enum HandIn {
        /// Largest bundle file.
        public static let bundleBytes = 256 << 20
        /// Most objects in a bundle's pack.
        public static let packObjects = 200_000
        /// Most references a bundle lists.
        public static let bundleReferences = 10_000
        /// Largest single object (a file of evidence, a commit, a tree) read from a hand-in.
        public static let objectBytes = 64 << 20
        /// Largest tree (one folder's listing) read from a hand-in: about 30,000 entries.
        public static let treeBytes = 1 << 20
        /// Deepest folder nesting walked in a hand-in's evidence.
        public static let treeDepth = 64
        /// Most files in one step's evidence.
        public static let evidenceFiles = 10_000
        /// Most commits walked on the branch graded.
        public static let commits = 100_000
        /// Most entries (files and folders) in a workspace's git folder.
        public static let gitDirectoryEntries = 500_000
    }
}
