#!/usr/bin/python3
"""Makes the hostile hand-ins of Tests/KlabCLITests/HostileHandInTests.swift at test time (they
are too large for the repository, or not what `git` itself would ever write). Uses the git CLI's
plumbing (hash-object --literally writes what git would refuse) and writes packs and bundles
byte by byte.

  make-hostile.py wide-tree REPO ENTRIES        the tip commit's root tree holds ENTRIES files
  make-hostile.py deep-evidence REPO LEVELS     a step's evidence nests LEVELS folders deep
  make-hostile.py odd-evidence REPO             evidence entries named '..', '.', '/etc' and 'a/b'
  make-hostile.py huge-object BUNDLE            a bundle whose pack claims a 1 TiB blob
  make-hostile.py many-objects BUNDLE           a bundle whose pack claims 2^31 objects
  make-hostile.py many-refs BUNDLE REFS         a bundle listing REFS references
"""
import hashlib
import os
import struct
import subprocess
import sys
import zlib

GIT = ["git", "-c", "user.name=Learner", "-c", "user.email=learner@example.com"]
EVIDENCE = [".klab", "evidence", "health-probes", "liveness"]


def git(repo, *args, data=None):
    result = subprocess.run(GIT + ["-C", repo] + list(args), input=data, stdout=subprocess.PIPE, check=True)
    return result.stdout


def tree(repo, entries):
    """A tree object from (mode, name, hex id) entries, written as given (git's order not enforced)."""
    body = b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)
    return git(repo, "hash-object", "--literally", "-t", "tree", "-w", "--stdin", data=body).decode().strip()


def entries_of(repo, tree_id):
    out = git(repo, "ls-tree", "-z", tree_id)
    found = []
    for line in out.split(b"\0"):
        if not line:
            continue
        meta, name = line.split(b"\t", 1)
        mode, _kind, oid = meta.decode().split()
        found.append((mode, name, oid))
    return found


def replace(repo, tree_id, path, new_id):
    """tree_id with the folder at path (a list of names) replaced by new_id."""
    entries = entries_of(repo, tree_id)
    name = path[0].encode()
    rest = [e for e in entries if e[1] != name]
    if len(path) == 1:
        child = new_id
    else:
        old = next((e[2] for e in entries if e[1] == name), None)
        child = replace(repo, old, path[1:], new_id) if old else chain(repo, path[1:], new_id)
    return tree(repo, sorted(rest + [("40000", name, child)], key=lambda e: e[1]))


def chain(repo, names, leaf):
    for name in reversed(names):
        leaf = tree(repo, [("40000", name.encode(), leaf)])
    return leaf


def recommit(repo, new_tree):
    """Replaces the tip with a commit of new_tree, the same parents and message."""
    tip = git(repo, "rev-parse", "HEAD").decode().strip()
    parents = git(repo, "rev-list", "--parents", "-n", "1", tip).decode().split()[1:]
    message = git(repo, "log", "-1", "--format=%B", tip)
    args = ["commit-tree", new_tree]
    for parent in parents:
        args += ["-p", parent]
    commit = git(repo, *args, data=message).decode().strip()
    git(repo, "update-ref", "HEAD", commit)


def evidence_tree(repo):
    tip_tree = git(repo, "rev-parse", "HEAD^{tree}").decode().strip()
    current = tip_tree
    for name in EVIDENCE:
        current = next(e[2] for e in entries_of(repo, current) if e[1] == name.encode())
    return tip_tree, current


def wide_tree(repo, count):
    blob = git(repo, "hash-object", "-w", "--stdin", data=b"x\n").decode().strip()
    raw = bytes.fromhex(blob)
    body = b"".join(b"100644 f%07d\0" % n + raw for n in range(count))
    root = git(repo, "hash-object", "--literally", "-t", "tree", "-w", "--stdin", data=body).decode().strip()
    commit = git(repo, "commit-tree", root, data=b"a million files\n").decode().strip()
    git(repo, "update-ref", "refs/heads/main", commit)
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")


def deep_evidence(repo, levels):
    tip_tree, step = evidence_tree(repo)
    blob = git(repo, "hash-object", "-w", "--stdin", data=b"{}\n").decode().strip()
    deep = chain(repo, ["d"] * levels, tree(repo, [("100644", b"deep.json", blob)]))
    new_step = tree(repo, sorted(entries_of(repo, step) + [("40000", b"d", deep)], key=lambda e: e[1]))
    recommit(repo, replace(repo, tip_tree, EVIDENCE, new_step))


def odd_evidence(repo):
    tip_tree, step = evidence_tree(repo)
    blob = git(repo, "hash-object", "-w", "--stdin", data=b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}\n').decode().strip()
    odd = [("100644", name, blob) for name in (b"..", b".", b"/etc", b"a/b", b"../../escape.json")]
    new_step = tree(repo, entries_of(repo, step) + odd)
    recommit(repo, replace(repo, tip_tree, EVIDENCE, new_step))


def pack(objects, claimed=None):
    """A pack of (type, claimed size, zlib data) objects; claimed overrides the object count."""
    data = b"PACK" + struct.pack(">II", 2, claimed if claimed is not None else len(objects))
    for kind, size, payload in objects:
        byte = (kind << 4) | (size & 0x0F)
        size >>= 4
        header = b""
        while size:
            header += bytes([byte | 0x80])
            byte = size & 0x7F
            size >>= 7
        header += bytes([byte])
        data += header + payload
    return data + hashlib.sha1(data).digest()


def bundle(path, refs, pack_bytes):
    with open(path, "wb") as f:
        f.write(b"# v2 git bundle\n")
        for oid, name in refs:
            f.write(("%s %s\n" % (oid, name)).encode())
        f.write(b"\n")
        f.write(pack_bytes)


def main():
    what, target = sys.argv[1], sys.argv[2]
    if what == "wide-tree":
        wide_tree(target, int(sys.argv[3]))
    elif what == "deep-evidence":
        deep_evidence(target, int(sys.argv[3]))
    elif what == "odd-evidence":
        odd_evidence(target)
    elif what == "huge-object":
        blob = zlib.compress(b"hello\n")
        bundle(target, [("ce013625030ba8dba906f756967f9e9ca394464a", "refs/heads/main")], pack([(3, 1 << 40, blob)]))
    elif what == "many-objects":
        blob = zlib.compress(b"hello\n")
        bundle(target, [("ce013625030ba8dba906f756967f9e9ca394464a", "refs/heads/main")], pack([(3, 6, blob)], claimed=1 << 31))
    elif what == "many-refs":
        blob = zlib.compress(b"hello\n")
        refs = [("ce013625030ba8dba906f756967f9e9ca394464a", "refs/tags/t%05d" % n) for n in range(int(sys.argv[3]))]
        bundle(target, refs, pack([(3, 6, blob)]))
    else:
        sys.exit("unknown: " + what)


main()
