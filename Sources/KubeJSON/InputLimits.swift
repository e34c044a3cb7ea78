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
    /// Deepest nesting of YAML collections (lab files, manifests, YAML snapshots), counted by
    /// `YAMLBounds` over libyaml's events, which names where a document passes it.
    public static let yamlDepth = 1_000
    /// libyaml's own nesting limit (its MAX_NESTING_LEVEL, 1,000 unless set), which `YAMLBounds`
    /// sets to this before anything parses YAML. libyaml counts the brackets its scanner has
    /// read, up to 1,024 characters ahead of the event it parses, so a limit equal to
    /// `yamlDepth` fired at the document's first bracket; above it by more than that look-ahead,
    /// `yamlDepth` is the bound every document meets, and libyaml's is only a backstop.
    public static let yamlParserDepth = yamlDepth + 2_048
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
        /// Most entries (files and folders) in a workspace's git folder, what the loose objects',
        /// reference logs' and hooks' folders hold aside (checked when read, or never read).
        public static let gitDirectoryEntries = 500_000
        /// Largest single allocation libgit2 may make (a blob, a delta, a pack object) once a
        /// hand-in is opened, and for the rest of the process: far above any file a workspace
        /// holds, far below what a forged pack header can announce (libgit2 allocates what
        /// the header says before it reads the data).
        public static let allocationBytes = 256 << 20
    }
}
