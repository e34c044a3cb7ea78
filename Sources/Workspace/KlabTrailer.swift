/// The trailers klab writes on its commits; grading and `klab status` read them back.
/// (Named apart from `LabGit.Trailer`, the parsed `Key: value` line.)
public enum KlabTrailer {
    public static let lab = "Klab-Lab"
    public static let step = "Klab-Step"
    public static let event = "Klab-Event"
    public static let evidence = "Klab-Evidence"
    public static let signature = "Klab-Signature"
    public static let hint = "Klab-Hint"
    public static let previous = "Klab-Previous"
    public static let labsDigest = "Klab-Labs-Digest"
    /// On a reset, undo, restore or restart: the backup ref holding what the folder had before it.
    public static let backup = "Klab-Backup"
    /// On an undo: the commit of the operation it undid.
    public static let undoes = "Klab-Undoes"
    /// On an undo or a restore: the backup ref it brought back.
    public static let restored = "Klab-Restored"
    /// On a backup commit (never on the branch): the operation it was made for.
    public static let backupOf = "Klab-Backup-Of"
}
