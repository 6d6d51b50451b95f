#!/usr/bin/env bash
# Check deploy/Dockerfile for real on a machine without a Docker engine: execute
# it faithfully in debootstrap chroots, then test the resulting runtime image.
#
#   sudo deploy/check_dockerfile.sh                  # build every stage, then check the image
#   deploy/check_dockerfile.sh --with-postgres       # also migrate/run/verify against a throwaway PostgreSQL
#   deploy/check_dockerfile.sh --self-test           # parser / COPY / .dockerignore unit checks only (seconds)
#   deploy/check_dockerfile.sh --help                # all options
#
# How it works. The Dockerfile itself is parsed (by the embedded Python below),
# so a change to the Dockerfile is what gets checked; an instruction, flag or
# form it does not implement is an error naming the line, never skipped.
# Supported: FROM debian:bookworm-slim [AS name] and FROM <earlier stage>; RUN
# (shell and exec form, line continuations, comment lines inside them); WORKDIR;
# COPY [--from=<stage>] <src>... <dest> (Docker's rules: a directory source
# copies its contents, a trailing slash or several sources make <dest> a
# directory, relative <dest> is under WORKDIR, wildcards, symlinks resolved
# inside the context or stage root, everything owned 0:0, .dockerignore
# honoured: deploy/Dockerfile.dockerignore, else <context>/.dockerignore); ENV
# (both forms, $VAR/${VAR} substitution in ENV, WORKDIR, COPY, USER); USER;
# ENTRYPOINT; CMD (an ENTRYPOINT resets the CMD inherited from the base image).
# LABEL, EXPOSE, STOPSIGNAL and MAINTAINER are metadata and only noted.
#
# The base image. `FROM debian:bookworm-slim` is a `debootstrap --variant=minbase
# bookworm` root made once under $RS_IMAGE_CHECK_DIR/base (default
# /tmp/rs-image-check) and copied (cp -a) for each stage, so a second stage or
# a rerun downloads nothing again. It is brought close to the official image
# the way debuerreotype makes it: the image's apt sources (bookworm,
# bookworm-updates, bookworm-security on deb.debian.org), its apt/dpkg
# "docker-*" configuration, policy-rc.d, and the slim variant's path-excludes
# (docs, man pages, locales) applied and the excluded files removed. It still
# differs a little (package set of minbase vs the image's, no image digest
# pinning, file timestamps), so sizes are close to, not equal to, Docker's.
#
# How RUN executes: `chroot <root> /usr/bin/env -i -C <WORKDIR> <ENV...> /bin/sh -c
# "<cmd>"`, as the current USER (resolved in the root's /etc/passwd and
# /etc/group, like Docker; chroot --userspec), with HOME and the default PATH
# added when ENV does not set them, stdin from /dev/null, under `nice -n 10`
# and limited to RS_IMAGE_CHECK_CPUS CPUs (default 2; nproc then reports at most
# that many). Each step runs in its own mount, PID, UTS and IPC namespaces with
# /proc, a minimal /dev (tmpfs + null, zero, full, random, urandom, tty, pts,
# shm), a read-only /sys, and copies of the host's /etc/resolv.conf and
# /etc/hosts bind-mounted (apt needs the network; the host network is shared).
# Those mounts exist only in the step's namespace and vanish with it; an EXIT
# trap below also unmounts anything left under the work dir, even on failure.
#
# After the build, the final stage (the runtime image) is checked:
#   a. ldd of the ENTRYPOINT binary finds every library;
#   b. ENTRYPOINT + CMD (`run --help`) runs as the image's USER and exits 0;
#   c. as USER: sample-data (20 symbols, 2024-01-01..2024-03-31), run --months all,
#      table info platinum/rankings: the job works in the image without PostgreSQL;
#   d. migrate --help works, RANKING_MIGRATIONS_DIR is set and holds exactly the
#      repository's deploy/sql/postgres/migrations, and `migrate` reads them from
#      there (it gets as far as connecting); with --with-postgres a throwaway
#      PostgreSQL on the host (scripts/services/pg.sh, reached over 127.0.0.1)
#      gets migrate, run and verify from inside the image;
#   e. the runtime root's size (du -sh) and the binary's size.
# Exit status: 0 all good, 1 a build step or a check failed, 2 usage error or an
# unsupported Dockerfile construct. Needs root, debootstrap (installed with
# apt-get when missing), python3, unshare and network access to deb.debian.org.
# The roots stay in $RS_IMAGE_CHECK_DIR/stages for inspection until the next run;
# --clean removes everything (the cached base too).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${RS_IMAGE_CHECK_DIR:-/tmp/rs-image-check}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "check_dockerfile: python3 is required" >&2; exit 2; }

unmount_leftovers() {
  # RUN steps mount inside their own mount namespace, so normally nothing is
  # left here; this is the backstop when something went wrong.
  [ -r /proc/self/mountinfo ] || return 0
  local m
  awk -v d="${work%/}/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while IFS= read -r m; do
      m=$(printf '%b' "$m")
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
        echo "check_dockerfile: could not unmount $m" >&2
    done
}

child=""
on_signal() {
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
  exit "$1"
}
trap unmount_leftovers EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

case " $* " in
  *" --help "* | *" -h "* | *" --self-test "*) ;;
  *)
    if [ "$(id -u)" != 0 ]; then
      echo "check_dockerfile: must run as root (debootstrap, chroot, mount namespaces)" >&2
      exit 2
    fi
    if ! command -v debootstrap >/dev/null; then
      echo "check_dockerfile: debootstrap missing; installing it (apt-get install -y debootstrap)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
        { echo "check_dockerfile: could not install debootstrap" >&2; exit 2; }
    fi
    ;;
esac

export RS_CHECK_REPO=$repo RS_CHECK_WORK=$work
"$py" - "$@" <<'PYEOF' &
import fcntl, fnmatch, hashlib, json, os, re, shlex, shutil, signal, stat, subprocess, sys, tempfile, time

REPO = os.environ["RS_CHECK_REPO"]
WORK = os.path.abspath(os.environ["RS_CHECK_WORK"])
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MIRROR = "http://deb.debian.org/debian"
BASE_RECIPE = "debootstrap minbase bookworm + debian:bookworm-slim config, v1"
SUPPORTED_IMAGES = {"debian:bookworm-slim", "docker.io/library/debian:bookworm-slim",
                    "library/debian:bookworm-slim"}
METADATA_ONLY = {"LABEL", "EXPOSE", "STOPSIGNAL", "MAINTAINER"}


class Unsupported(Exception):
    """A Dockerfile construct this checker does not implement (exit 2)."""


class BuildError(Exception):
    """A build step failed, as `docker build` would have (exit 1)."""


def say(msg=""):
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Dockerfile parsing
# --------------------------------------------------------------------------

class Instr:
    def __init__(self, line, keyword, args):
        self.line, self.keyword, self.args = line, keyword, args

    def __repr__(self):
        return f"line {self.line}: {self.keyword} {self.args}"

    def short(self, n=110):
        text = re.sub(r"\s+", " ", f"{self.keyword} {self.args}").strip()
        return text if len(text) <= n else text[: n - 3] + "..."


def parse_dockerfile(text):
    """Instructions with continuations joined, following BuildKit's parser:
    a line ending in `\\` (then optional blanks) continues; comment lines and
    empty lines inside a continuation are dropped; leading parser directives
    (# syntax=, # escape=) are read."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):  # parser directives: only before anything else
        m = re.match(r"^\s*#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$", lines[i])
        if not m:
            break
        key, val = m.group(1).lower(), m.group(2)
        if key == "escape" and val != "\\":
            raise Unsupported(f"line {i + 1}: parser directive escape={val} (only \\ is supported)")
        if key not in ("escape", "syntax", "check"):
            break  # an ordinary comment that looks like key=value
        i += 1
    out, buf, start = [], None, 0
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if buf is None:
            if not stripped or stripped.startswith("#"):
                continue
            buf, start = "", n
            line = line.lstrip()
        elif not stripped or stripped.startswith("#"):
            continue
        m = re.search(r"\\[ \t]*$", line)
        if m:
            buf += line[: m.start()]
            continue
        buf += line
        out.append(_split_instr(start, buf))
        buf = None
    if buf is not None:
        out.append(_split_instr(start, buf))
    return out


def _split_instr(line, text):
    m = re.match(r"(\S+)\s*(.*)$", text, re.S)
    return Instr(line, m.group(1).upper(), m.group(2).strip())


def json_form(args):
    """The exec/JSON form of RUN, CMD, ENTRYPOINT, COPY, or None (shell form,
    also when the text is not a valid JSON array of strings, like Docker)."""
    if not args.startswith("["):
        return None
    try:
        v = json.loads(args)
    except ValueError:
        return None
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return v
    return None


def take_flags(instr, args, allowed):
    """Leading --name=value flags of FROM/RUN/COPY; any flag not in `allowed`
    is unsupported."""
    flags = {}
    while True:
        m = re.match(r"--([a-zA-Z-]+)(?:=(\S*))?\s*", args)
        if not m:
            return flags, args
        name = m.group(1)
        if name not in allowed:
            raise Unsupported(f"line {instr.line}: {instr.keyword} --{name} is not supported by this checker")
        flags[name] = m.group(2) if m.group(2) is not None else ""
        args = args[m.end():]


def expand_word(word, env, instr=None, keep_quotes=False):
    """Docker's word processing for ENV/WORKDIR/COPY/USER: quotes removed
    ('...' literal, "..." with substitution), backslash escapes, $VAR,
    ${VAR}, ${VAR:-word}, ${VAR:+word}. Anything else is unsupported."""
    where = f"line {instr.line}: " if instr else ""
    out, i, quote = [], 0, None

    def subst(j):
        if word[j + 1: j + 2] == "{":
            k = word.find("}", j)
            if k < 0:
                raise Unsupported(f"{where}unterminated ${{ in {word!r}")
            body = word[j + 2: k]
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\+)(.*))?", body, re.S)
            if not m:
                raise Unsupported(f"{where}variable form ${{{body}}} is not supported")
            name, op, alt = m.group(1), m.group(2), m.group(3)
            val = env.get(name, "")
            if op == ":-":
                val = val if val else expand_word(alt, env, instr)
            elif op == ":+":
                val = expand_word(alt, env, instr) if val else ""
            return val, k + 1
        m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", word[j + 1:])
        if not m:
            return "$", j + 1
        return env.get(m.group(0), ""), j + 1 + m.end()

    while i < len(word):
        c = word[i]
        if quote == "'":
            if c == "'":
                quote = None
                if keep_quotes:
                    out.append(c)
            else:
                out.append(c)
            i += 1
        elif c == "\\" and i + 1 < len(word) and (quote is None or word[i + 1] in '"\\$'):
            out.append(word[i + 1])
            i += 2
        elif c == "$":
            val, i = subst(i)
            out.append(val)
        elif c in "'\"" and (quote is None or quote == c):
            if c == "'" and quote is None:
                quote = "'"
            else:
                quote = None if quote == c else c
            if keep_quotes:
                out.append(c)
            i += 1
        else:
            out.append(c)
            i += 1
    if quote:
        raise Unsupported(f"{where}unterminated quote in {word!r}")
    return "".join(out)


def split_words(s):
    """Split on blanks outside quotes, keeping quotes (for ENV k=v forms)."""
    words, cur, quote, i = [], "", None, 0
    while i < len(s):
        c = s[i]
        if quote:
            cur += c
            if c == "\\" and quote == '"' and i + 1 < len(s):
                cur += s[i + 1]
                i += 1
            elif c == quote:
                quote = None
        elif c == "\\" and i + 1 < len(s):
            cur += c + s[i + 1]
            i += 1
        elif c in "'\"":
            quote = c
            cur += c
        elif c.isspace():
            if cur:
                words.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if cur:
        words.append(cur)
    return words


def parse_env(instr, env):
    """ENV k=v ... (quotes, escapes, substitution against the env before this
    instruction) or the legacy ENV k value."""
    args = instr.args
    first = args.split(None, 1)[0] if args else ""
    pairs = []
    if "=" not in first:
        parts = args.split(None, 1)
        if len(parts) != 2:
            raise BuildError(f"line {instr.line}: ENV needs a value")
        pairs.append((parts[0], expand_word(parts[1], env, instr)))
    else:
        for w in split_words(args):
            if "=" not in w:
                raise BuildError(f"line {instr.line}: ENV: {w!r} is not key=value")
            k, v = w.split("=", 1)
            pairs.append((expand_word(k, env, instr), expand_word(v, env, instr)))
    return pairs


# --------------------------------------------------------------------------
# Paths inside a root (a stage's filesystem or the build context)
# --------------------------------------------------------------------------

def resolve_in_root(root, path, follow_last=True):
    """Host path of `path` as seen from inside `root`: symlinks (absolute ones
    included) are followed relative to root and can never leave it."""
    todo = [p for p in path.split("/") if p not in ("", ".")]
    cur, hops = [], 0
    while todo:
        p = todo.pop(0)
        if p == "..":
            cur = cur[:-1]
            continue
        host = os.path.join(root, *cur, p)
        if os.path.islink(host) and (todo or follow_last):
            hops += 1
            if hops > 40:
                raise BuildError(f"too many levels of symbolic links under {path}")
            target = os.readlink(host)
            if target.startswith("/"):
                cur = []
            todo = [x for x in target.split("/") if x not in ("", ".")] + todo
            continue
        cur.append(p)
    return os.path.join(root, *cur)


def go_glob_to_fnmatch(pat):
    return pat.replace("[^", "[!")


def has_glob(s):
    return any(c in s for c in "*?[")


class DockerIgnore:
    """moby/patternmatcher semantics: patterns are cleaned paths relative to
    the context, `**` spans directories, `!` re-includes, the last matching
    pattern wins, and a pattern matching a parent directory matches below it."""

    def __init__(self, lines=(), source=None):
        self.source = source
        self.rules = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            if neg:
                line = line[1:].strip()
            line = os.path.normpath(line).lstrip("/")
            if line in ("", "."):
                continue
            self.rules.append((neg, self._regex(line), line))

    @staticmethod
    def _regex(pat):
        out, i = "^", 0
        while i < len(pat):
            c = pat[i]
            if c == "*":
                if pat[i: i + 2] == "**":
                    i += 2
                    if pat[i: i + 1] == "/":
                        out += "(.*/)?"
                        i += 1
                    else:
                        out += ".*"
                    continue
                out += "[^/]*"
            elif c == "?":
                out += "[^/]"
            elif c == "[":
                j = pat.find("]", i + 1)
                if j < 0:
                    out += re.escape(c)
                else:
                    cls = pat[i + 1: j]
                    if cls.startswith("^") or cls.startswith("!"):
                        cls = "^" + cls[1:]
                    out += "[" + cls.replace("\\", "\\\\") + "]"
                    i = j
            elif c == "\\" and i + 1 < len(pat):
                i += 1
                out += re.escape(pat[i])
            else:
                out += re.escape(c)
            i += 1
        return re.compile(out + "$")

    def excluded(self, rel):
        rel = os.path.normpath(rel).lstrip("/")
        if not self.rules or rel in ("", "."):
            return False
        parents = []
        parts = rel.split("/")
        for k in range(1, len(parts) + 1):
            parents.append("/".join(parts[:k]))
        result = False
        for neg, rx, _ in self.rules:
            if any(rx.match(p) for p in parents):
                result = not neg
        return result


def load_dockerignore(context, dockerfile):
    # BuildKit: <Dockerfile>.dockerignore next to the Dockerfile first, then <context>/.dockerignore.
    for cand in (dockerfile + ".dockerignore", os.path.join(context, ".dockerignore")):
        if os.path.isfile(cand):
            with open(cand) as f:
                return DockerIgnore(f.read().splitlines(), cand)
    return DockerIgnore()


def match_sources(src_root, pattern, ignore, is_context):
    """Expand one COPY source (wildcards per path component, Go's
    filepath.Match rules: `*` also matches leading dots) to paths relative
    to src_root."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    found = [""]
    for p in parts:
        nxt = []
        for base in found:
            if p == "..":
                nxt.append(os.path.dirname(base))
                continue
            if has_glob(p):
                d = resolve_in_root(src_root, base)
                try:
                    names = sorted(os.listdir(d))
                except OSError:
                    names = []
                for name in names:
                    if fnmatch.fnmatchcase(name, go_glob_to_fnmatch(p)):
                        nxt.append(os.path.join(base, name))
            else:
                nxt.append(os.path.join(base, p))
        found = nxt
    out = []
    for rel in found:
        host = resolve_in_root(src_root, rel)
        if not os.path.lexists(host):
            continue
        if is_context and ignore.excluded(rel):
            continue
        out.append(rel)
    return out


def chown_root(path):
    os.lchown(path, 0, 0) if os.geteuid() == 0 else None


def makedirs_root(path):
    """mkdir -p with new directories 0755 owned 0:0 (what COPY creates)."""
    missing = []
    p = path
    while not os.path.lexists(p):
        missing.append(p)
        p = os.path.dirname(p)
    for d in reversed(missing):
        os.mkdir(d, 0o755)
        os.chmod(d, 0o755)
        chown_root(d)
    if not os.path.isdir(path):
        raise BuildError(f"cannot create directory {path}: a file is in the way")


def copy_entry(src, dst):
    """One file, symlink or directory node; owned 0:0, mode and mtime kept."""
    st = os.lstat(src)
    if stat.S_ISLNK(st.st_mode):
        if os.path.lexists(dst) and not os.path.isdir(dst):
            os.unlink(dst)
        os.symlink(os.readlink(src), dst)
    elif stat.S_ISDIR(st.st_mode):
        if not os.path.isdir(dst):
            if os.path.lexists(dst):
                os.unlink(dst)
            os.mkdir(dst)
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    elif stat.S_ISREG(st.st_mode):
        if os.path.lexists(dst) and (os.path.islink(dst) or not os.path.isfile(dst)):
            if os.path.isdir(dst) and not os.path.islink(dst):
                raise BuildError(f"cannot copy file {src} over directory {dst}")
            os.unlink(dst)
        shutil.copyfile(src, dst, follow_symlinks=False)
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    else:
        raise BuildError(f"COPY of special file {src} is not supported")
    chown_root(dst)
    if not stat.S_ISLNK(st.st_mode):
        os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))


def copy_tree_contents(src_dir, rel_base, dst_dir, ignore, is_context, counter):
    """Contents of src_dir into dst_dir (directory source semantics), skipping
    .dockerignore'd paths; directories under an excluded one are still walked
    so that `!` exceptions can re-include files."""
    for entry in sorted(os.scandir(src_dir), key=lambda e: e.name):
        rel = os.path.join(rel_base, entry.name) if rel_base else entry.name
        src = entry.path
        dst = os.path.join(dst_dir, entry.name)
        ex = is_context and ignore.excluded(rel)
        if entry.is_dir(follow_symlinks=False):
            if ex and not any(n for n, _, _ in ignore.rules):
                continue
            if not ex:
                copy_entry(src, dst)
                counter[1] += 1
            copy_tree_contents(src, rel, dst, ignore, is_context, counter)
            if not ex:
                st = os.lstat(src)
                os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
        else:
            if ex:
                continue
            if not os.path.isdir(dst_dir):
                makedirs_root(dst_dir)
            copy_entry(src, dst)
            counter[0] += 1
            counter[2] += os.lstat(src).st_size


def do_copy(src_root, sources, dst_root, dest, workdir, ignore, is_context, what):
    """Docker COPY: returns (files, dirs, bytes) copied."""
    dest_is_dir = dest.endswith("/") or dest.endswith("/.") or dest in (".", "..")
    if not dest.startswith("/"):
        dest = os.path.join(workdir, dest)
    if len(sources) > 1 and not dest_is_dir:
        raise BuildError("COPY: with more than one source, the destination must be a directory and end with a /")
    expanded = []
    for s in sources:
        m = match_sources(src_root, s, ignore, is_context)
        if not m:
            raise BuildError(f"COPY: {s}: not found in {what}"
                             + (" (or excluded by .dockerignore)" if is_context and ignore.rules else ""))
        expanded.extend(m)
    if len(expanded) > 1:
        dest_is_dir = True  # a wildcard matching several files: BuildKit copies them into <dest>/
    counter = [0, 0, 0]
    dst_host = resolve_in_root(dst_root, dest)
    for rel in expanded:
        src_host = resolve_in_root(src_root, rel)  # a top-level symlink source is followed
        if not os.path.exists(src_host):
            raise BuildError(f"COPY: {rel}: dangling symlink in {what}")
        if os.path.isdir(src_host):
            makedirs_root(dst_host)
            copy_tree_contents(src_host, rel.strip("/"), dst_host, ignore, is_context, counter)
        else:
            if dest_is_dir or os.path.isdir(dst_host):
                makedirs_root(dst_host)
                target = os.path.join(dst_host, os.path.basename(src_host.rstrip("/")))
            else:
                makedirs_root(os.path.dirname(dst_host))
                target = dst_host
            copy_entry(src_host, target)
            counter[0] += 1
            counter[2] += os.path.getsize(src_host)
    return counter


# --------------------------------------------------------------------------
# Users (USER resolved like Docker: /etc/passwd and /etc/group of the root)
# --------------------------------------------------------------------------

def read_db(root, name):
    path = resolve_in_root(root, "/etc/" + name)
    rows = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split(":")
                if len(parts) >= 4 and not line.startswith("#"):
                    rows.append(parts)
    except FileNotFoundError:
        pass
    return rows


def resolve_user(root, spec):
    """(uid, gid, [supplementary gids], home) for a USER value."""
    if not spec:
        spec = "root"
    user, _, group = spec.partition(":")
    passwd = read_db(root, "passwd")
    groups = read_db(root, "group")
    entry = None
    for p in passwd:
        if p[0] == user or (user.isdigit() and p[2] == user):
            entry = p
            break
    if entry is None and not user.isdigit():
        raise BuildError(f"USER {spec}: no user {user!r} in the image's /etc/passwd")
    uid = int(entry[2]) if entry else int(user)
    gid = int(entry[3]) if entry else 0
    home = entry[5] if entry and len(entry) > 5 and entry[5] else "/"
    extra = []
    if entry:
        for g in groups:
            if user and entry[0] in g[3].split(","):
                extra.append(int(g[2]))
    if group:
        gid = None
        for g in groups:
            if g[0] == group or (group.isdigit() and g[2] == group):
                gid = int(g[2])
        if gid is None:
            if not group.isdigit():
                raise BuildError(f"USER {spec}: no group {group!r} in the image's /etc/group")
            gid = int(group)
        extra = []
    return uid, gid, sorted(set(extra)), home


# --------------------------------------------------------------------------
# Running a process in a root
# --------------------------------------------------------------------------

# Runs as PID 1 of fresh mount/PID/UTS/IPC namespaces, sets up the container
# mounts (visible only inside), then becomes chroot.
NS_SETUP = r'''
set -eu
root=$1; etc=$2; shift 2
mkdir -p "$root/proc" "$root/dev" "$root/sys" "$root/etc"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,mode=0755,size=65536k tmpfs "$root/dev"
for n in null zero full random urandom tty; do
  : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
if mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts" 2>/dev/null; then
  ln -s pts/ptmx "$root/dev/ptmx"
fi
mount -t tmpfs -o nosuid,nodev,noexec,size=67108864 shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" 2>/dev/null || true
for f in resolv.conf hosts hostname; do
  dst="$root/etc/$f"
  if [ -L "$dst" ] || [ ! -e "$dst" ]; then rm -f "$dst"; : > "$dst"; fi
  mount --bind "$etc/$f" "$dst"
done
hostname "$(cat "$etc/hostname")" 2>/dev/null || true
exec chroot "$@"
'''


class Runner:
    def __init__(self, work, cpus, quiet):
        self.work, self.cpus, self.quiet = work, cpus, quiet
        self.etc = os.path.join(work, "etc")
        os.makedirs(self.etc, exist_ok=True)
        for f in ("resolv.conf", "hosts"):
            src = os.path.realpath("/etc/" + f)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(self.etc, f))
            else:
                open(os.path.join(self.etc, f), "w").close()
        with open(os.path.join(self.etc, "hostname"), "w") as f:
            f.write("rs-image-check\n")
        self.procs = []

    def prefix(self, nice=True):
        cmd = []
        if nice:
            cmd += ["nice", "-n", "10"]
        ncpu = os.cpu_count() or 1
        if self.cpus and self.cpus < ncpu:
            cmd += ["taskset", "-c", f"0-{self.cpus - 1}"]
        return cmd

    def command(self, root, argv, env, workdir, user, nice=True):
        uid, gid, groups, home = resolve_user(root, user)
        envd = dict(env)
        envd.setdefault("PATH", DEFAULT_PATH)
        envd.setdefault("HOME", home)
        wd_host = resolve_in_root(root, workdir)
        if not os.path.isdir(wd_host):
            raise BuildError(f"working directory {workdir} does not exist in the image")
        return (self.prefix(nice) + [
            "unshare", "--mount", "--pid", "--uts", "--ipc", "--fork", "--kill-child",
            "--propagation", "private", "--", "/bin/bash", "-c", NS_SETUP, "ns-setup", root, self.etc,
            f"--userspec={uid}:{gid}", "--groups=" + ",".join(str(g) for g in groups), root,
            "/usr/bin/env", "-i", "-C", workdir] + [f"{k}={v}" for k, v in envd.items()] + list(argv)), (uid, gid)

    def run(self, root, argv, env, workdir, user, log_path=None, echo=True, nice=True, timeout=None):
        """Run argv in root; returns (exit code, output text)."""
        cmd, _ = self.command(root, argv, env, workdir, user, nice)
        logf = open(log_path, "w") if log_path else None
        out = []
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        deadline = time.time() + timeout if timeout else None
        try:
            for raw in p.stdout:
                line = raw.decode("utf-8", "replace")
                out.append(line)
                if logf:
                    logf.write(line)
                    logf.flush()
                if echo and not self.quiet:
                    sys.stdout.write("    | " + line)
                    sys.stdout.flush()
                if deadline and time.time() > deadline:
                    os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
        finally:
            if p.poll() is None:  # interrupted: end the step (and its namespace) before going on
                self.stop(p)
            self.procs.remove(p)
            if logf:
                logf.close()
        return rc, "".join(out)

    @staticmethod
    def stop(p):
        # SIGTERM to unshare's process group; unshare --kill-child then SIGKILLs the
        # namespace's PID 1, which takes every process of the step with it.
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                return
            try:
                p.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                pass

    def kill_all(self):
        for p in list(self.procs):
            self.stop(p)


# --------------------------------------------------------------------------
# Base image: debootstrap once, then copy
# --------------------------------------------------------------------------

SLIM_EXCLUDES = ["/usr/share/doc/*", "/usr/share/groff/*", "/usr/share/info/*", "/usr/share/linda/*",
                 "/usr/share/lintian/overrides/*", "/usr/share/locale/*", "/usr/share/man/*"]
SLIM_INCLUDES = ["/usr/share/doc/*/copyright", "/usr/share/doc/kde/HTML/C/*", "/usr/share/gnome/help/*/C/*",
                 "/usr/share/locale/all_languages", "/usr/share/locale/currency/*",
                 "/usr/share/locale/l10n/*", "/usr/share/locale/languages",
                 "/usr/share/locale/locale.alias", "/usr/share/omf/*/*-C.emf"]

DEBIAN_SOURCES = """Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def slim_root(root):
    """debuerreotype's minimizing config and slim variant, as in the official image."""
    write(os.path.join(root, "usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n", 0o755)
    write(os.path.join(root, "etc/dpkg/dpkg.cfg.d/docker-apt-speedup"), "force-unsafe-io\n")
    clean = '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
    aptd = os.path.join(root, "etc/apt/apt.conf.d")
    write(os.path.join(aptd, "docker-autoremove-suggests"), 'Apt::AutoRemove::SuggestsImportant "false";\n')
    write(os.path.join(aptd, "docker-clean"),
          f"DPkg::Post-Invoke {{ {clean} }};\nAPT::Update::Post-Invoke {{ {clean} }};\n"
          'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n')
    write(os.path.join(aptd, "docker-gzip-indexes"), 'Acquire::GzipIndexes "true";\n')
    write(os.path.join(aptd, "docker-no-languages"), 'Acquire::Languages "none";\n')
    lines = ['# This is the "slim" variant of the Debian base image.']
    lines += [f"path-exclude {p}" for p in SLIM_EXCLUDES]
    lines += [f"path-include {p}" for p in SLIM_INCLUDES]
    write(os.path.join(root, "etc/dpkg/dpkg.cfg.d/docker"), "\n".join(lines) + "\n")

    def included(inner):
        return any(fnmatch.fnmatchcase(inner, p) for p in SLIM_INCLUDES)

    for ex in SLIM_EXCLUDES:
        top = os.path.join(root, os.path.dirname(ex).lstrip("/"))
        if not os.path.isdir(top) or os.path.islink(top):
            continue
        for dirpath, dirnames, filenames in os.walk(top, topdown=False):
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                host = os.path.join(dirpath, name)
                inner = "/" + os.path.relpath(host, root)
                if not included(inner):
                    os.unlink(host)
            for d in dirnames:
                host = os.path.join(dirpath, d)
                if os.path.isdir(host) and not os.path.islink(host) and not os.listdir(host):
                    os.rmdir(host)
    # The image's apt sources (deb822), and no host-derived network identity.
    src_list = os.path.join(root, "etc/apt/sources.list")
    if os.path.exists(src_list):
        os.unlink(src_list)
    os.makedirs(os.path.join(root, "etc/apt/sources.list.d"), exist_ok=True)
    write(os.path.join(root, "etc/apt/sources.list.d/debian.sources"), DEBIAN_SOURCES)
    for f in ("etc/resolv.conf", "etc/hostname"):
        p = os.path.join(root, f)
        if os.path.lexists(p):
            os.unlink(p)
        write(p, "")
    shutil.rmtree(os.path.join(root, "var/lib/apt/lists"), ignore_errors=True)
    os.makedirs(os.path.join(root, "var/lib/apt/lists/partial"), exist_ok=True)
    for d in ("var/cache/apt/archives",):
        for n in os.listdir(os.path.join(root, d)):
            if n.endswith(".deb"):
                os.unlink(os.path.join(root, d, n))


def ensure_base(work, mirror, refresh):
    base = os.path.join(work, "base")
    stamp = os.path.join(work, "base.stamp")
    if not refresh and os.path.isdir(base) and os.path.isfile(stamp) and open(stamp).read().strip() == BASE_RECIPE:
        say(f"==> base image: cached debootstrap root {base} (RS_IMAGE_CHECK_DIR; --refresh-base to redo)")
        return base, False
    partial = base + ".partial"
    for d in (partial, base):
        safe_rmtree(d)
    if os.path.exists(stamp):
        os.unlink(stamp)
    say(f"==> base image: debootstrap --variant=minbase bookworm {partial} {mirror}")
    t0 = time.time()
    log = os.path.join(work, "logs", "debootstrap.log")
    with open(log, "w") as lf:
        rc = subprocess.call(["debootstrap", "--variant=minbase", "bookworm", partial, mirror],
                             stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
    leftover_mounts(partial, unmount=True)
    if rc != 0:
        tail = open(log).read().splitlines()[-30:]
        raise BuildError("debootstrap failed (log: %s):\n%s" % (log, "\n".join(tail)))
    slim_root(partial)
    os.rename(partial, base)
    write(stamp, BASE_RECIPE + "\n")
    say(f"    done in {time.time() - t0:.0f}s ({du(base)})")
    return base, True


# --------------------------------------------------------------------------
# Mount safety and housekeeping
# --------------------------------------------------------------------------

def mounts_under(path):
    path = os.path.realpath(path).rstrip("/") + "/"
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].encode().decode("unicode_escape")
            if (mp + "/").startswith(path):
                out.append(mp)
    return out


def leftover_mounts(path, unmount=False):
    ms = mounts_under(path)
    if unmount:
        for m in sorted(ms, reverse=True):
            if subprocess.call(["umount", m], stderr=subprocess.DEVNULL) != 0:
                subprocess.call(["umount", "-l", m], stderr=subprocess.DEVNULL)
        ms = mounts_under(path)
    return ms


def safe_rmtree(path):
    if not os.path.lexists(path):
        return
    left = leftover_mounts(path, unmount=True)
    if left:
        raise BuildError(f"refusing to delete {path}: still mounted: {left}")
    subprocess.check_call(["rm", "-rf", "--one-file-system", path])


def du(path, human=True):
    out = subprocess.run(["du", "-sx" + ("h" if human else "b"), path], stdout=subprocess.PIPE,
                         text=True).stdout.split()
    return out[0] if out else "?"


def fmt_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024.0


# --------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------

class Stage:
    def __init__(self, idx, name, instr):
        self.idx, self.name, self.from_instr = idx, name, instr
        self.instrs = []
        self.base = None          # image name or a Stage
        self.root = None
        self.env = {}
        self.workdir = "/"
        self.user = ""
        self.entrypoint = None
        self.cmd = None
        self.cmd_inherited = False
        self.deps = set()

    def label(self):
        return self.name or str(self.idx)


def plan(instrs):
    """Split into stages and validate every instruction before building anything."""
    stages, by_name = [], {}
    for ins in instrs:
        kw = ins.keyword
        if kw == "FROM":
            flags, rest = take_flags(ins, ins.args, set())
            words = rest.split()
            name = None
            if len(words) == 3 and words[1].upper() == "AS":
                name = words[2].lower()
            elif len(words) != 1:
                raise Unsupported(f"line {ins.line}: FROM {rest!r}: expected FROM <image> [AS <name>]")
            st = Stage(len(stages), name, ins)
            image = words[0]
            if image.lower() in by_name:
                st.base = by_name[image.lower()]
                st.deps.add(st.base.idx)
            else:
                img = image.split("@", 1)[0]
                if img not in SUPPORTED_IMAGES:
                    raise Unsupported(f"line {ins.line}: FROM {image}: only debian:bookworm-slim (and earlier "
                                      "stages) can be reproduced with debootstrap here")
                st.base = image
            stages.append(st)
            if name:
                by_name[name] = st
            continue
        if not stages:
            if kw == "ARG":
                raise Unsupported(f"line {ins.line}: ARG is not supported by this checker")
            raise BuildError(f"line {ins.line}: {kw} before the first FROM")
        st = stages[-1]
        if kw == "RUN":
            take_flags(ins, ins.args, set())
            if re.search(r"<<-?\s*['\"]?[A-Za-z_]", ins.args) and json_form(ins.args) is None:
                raise Unsupported(f"line {ins.line}: RUN with a heredoc (<<WORD) is not supported "
                                  "(BuildKit would treat it as a Dockerfile heredoc)")
        elif kw == "COPY":
            flags, rest = take_flags(ins, ins.args, {"from"})
            if "from" in flags:
                ref = flags["from"].lower()
                src = by_name.get(ref)
                if src is None and ref.isdigit() and int(ref) < len(stages) - 1:
                    src = stages[int(ref)]
                if src is None or src is st:
                    raise Unsupported(f"line {ins.line}: COPY --from={flags['from']}: only earlier stages "
                                      "are supported (not images)")
                st.deps.add(src.idx)
            if re.search(r"<<-?\s*['\"]?[A-Za-z_]", rest):
                raise Unsupported(f"line {ins.line}: COPY with a heredoc is not supported")
        elif kw in ("WORKDIR", "ENV", "USER", "ENTRYPOINT", "CMD"):
            if not ins.args:
                raise BuildError(f"line {ins.line}: {kw} needs an argument")
        elif kw in METADATA_ONLY:
            pass
        else:
            raise Unsupported(f"line {ins.line}: instruction {kw} is not supported by this checker "
                              "(supported: FROM, RUN, WORKDIR, COPY, ENV, USER, ENTRYPOINT, CMD; "
                              "LABEL/EXPOSE/STOPSIGNAL/MAINTAINER are noted)")
        st.instrs.append(ins)
    if not stages:
        raise BuildError("the Dockerfile has no FROM")
    return stages


def needed_stages(stages, target):
    want, todo = set(), [target.idx]
    while todo:
        i = todo.pop()
        if i in want:
            continue
        want.add(i)
        todo.extend(stages[i].deps)
    return [s for s in stages if s.idx in want]


def build(stages, order, base, context, dockerfile, ignore, runner, work, timings):
    total = len(order)
    for n, st in enumerate(order, 1):
        head = f"[{n}/{total} {st.label()}]"
        st.root = os.path.join(work, "stages", f"{st.idx}-{st.label()}")
        say(f"==> {head} FROM {st.from_instr.args}")
        t0 = time.time()
        if isinstance(st.base, Stage):
            src = st.base
            subprocess.check_call(["cp", "-a", "--reflink=auto", src.root, st.root])
            st.env, st.workdir, st.user = dict(src.env), src.workdir, src.user
            st.entrypoint, st.cmd, st.cmd_inherited = src.entrypoint, src.cmd, True
        else:
            subprocess.check_call(["cp", "-a", "--reflink=auto", base, st.root])
            st.env, st.workdir, st.user = {"PATH": DEFAULT_PATH}, "/", ""
            st.entrypoint, st.cmd, st.cmd_inherited = None, ["bash"], True  # debian's CMD ["bash"]
        say(f"    root {st.root} ({time.time() - t0:.1f}s)")
        for k, ins in enumerate(st.instrs, 1):
            step = f"{head} {k}/{len(st.instrs)}"
            say(f"==> {step} {ins.short()}")
            t0 = time.time()
            kw = ins.keyword
            if kw == "RUN":
                _, rest = take_flags(ins, ins.args, set())
                argv = json_form(rest) or ["/bin/sh", "-c", rest]
                log = os.path.join(work, "logs", f"{st.idx}-{st.label()}-{k:02d}-run.log")
                rc, out = runner.run(st.root, argv, st.env, st.workdir, st.user, log_path=log)
                if rc != 0:
                    if runner.quiet:
                        say("".join("    | " + l for l in out.splitlines(True)[-40:]))
                    raise BuildError(f"line {ins.line}: RUN exited with {rc} (log: {log})")
            elif kw == "WORKDIR":
                wd = expand_word(ins.args, st.env, ins)
                st.workdir = os.path.normpath(wd if wd.startswith("/") else os.path.join(st.workdir, wd))
                host = resolve_in_root(st.root, st.workdir)
                if not os.path.isdir(host):
                    makedirs_root(host)
                    if st.user:
                        uid, gid, _, _ = resolve_user(st.root, st.user)
                        os.chown(host, uid, gid)
            elif kw == "ENV":
                for key, val in parse_env(ins, st.env):
                    st.env[key] = val
                    say(f"    {key}={val}")
            elif kw == "USER":
                st.user = expand_word(ins.args, st.env, ins)
                uid, gid, groups, home = resolve_user(st.root, st.user)
                say(f"    uid={uid} gid={gid} groups={groups or '-'} HOME={home}")
            elif kw in ("ENTRYPOINT", "CMD"):
                v = json_form(ins.args)
                if v is None:
                    v = ["/bin/sh", "-c", ins.args]
                if kw == "ENTRYPOINT":
                    st.entrypoint = v
                    if st.cmd_inherited:
                        st.cmd, st.cmd_inherited = None, False  # Docker resets an inherited CMD
                else:
                    st.cmd, st.cmd_inherited = v, False
            elif kw == "COPY":
                flags, rest = take_flags(ins, ins.args, {"from"})
                words = json_form(rest)
                if words is None:
                    words = [expand_word(w, st.env, ins) for w in rest.split()]
                else:
                    words = [expand_word(w, st.env, ins) for w in words]
                if len(words) < 2:
                    raise BuildError(f"line {ins.line}: COPY needs a source and a destination")
                *srcs, dest = words
                if "from" in flags:
                    ref = flags["from"].lower()
                    src_stage = next((s for s in stages if s.name == ref), None) or stages[int(ref)]
                    files, dirs, nbytes = do_copy(src_stage.root, [s if s.startswith("/") else "/" + s for s in srcs],
                                                  st.root, dest, st.workdir, ignore, False,
                                                  f"stage {src_stage.label()}")
                else:
                    files, dirs, nbytes = do_copy(context, srcs, st.root, dest, st.workdir, ignore, True,
                                                  "the build context")
                say(f"    {files} file(s), {dirs} dir(s), {fmt_bytes(nbytes)}")
            elif kw in METADATA_ONLY:
                say("    (metadata only: noted)")
            took = time.time() - t0
            timings.append((f"{st.label()}: {ins.short(70)}", took))
            if took >= 1:
                say(f"    done in {took:.0f}s")


# --------------------------------------------------------------------------
# Checks on the runtime image
# --------------------------------------------------------------------------

class Checks:
    def __init__(self):
        self.rows = []

    def add(self, name, ok, detail=""):
        self.rows.append((name, ok, detail))
        say(f"    {'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""))
        return ok

    @property
    def ok(self):
        return all(ok for _, ok, _ in self.rows)


def show(out, limit=25, indent="      "):
    lines = out.rstrip("\n").splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    for l in lines:
        say(indent + l)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_image(img, runner, work, context, with_postgres, checks, sizes):
    root = img.root
    wd = img.workdir
    user = img.user
    uid, gid, _, _ = resolve_user(root, user)
    say(f"==> image config: USER {user or 'root'} (uid {uid}, gid {gid}), WORKDIR {wd}, "
        f"ENTRYPOINT {json.dumps(img.entrypoint)}, CMD {json.dumps(img.cmd)}")
    for k, v in img.env.items():
        say(f"    ENV {k}={v}")
    entry = img.entrypoint or []
    binary = entry[0] if entry and entry[0].startswith("/") else None
    if binary is None and entry:
        binary = shutil.which(entry[0], path=":".join(resolve_in_root(root, d) for d in img.env.get("PATH", DEFAULT_PATH).split(":")))
        binary = "/" + os.path.relpath(binary, root) if binary else None

    # (e) sizes first, before the checks write anything into the root (a previous
    # --checks-only run's lake is removed: /tmp/lake inside the root, never the host's).
    old_lake = resolve_in_root(root, "/tmp/lake")
    if os.path.lexists(old_lake) and old_lake.startswith(os.path.realpath(root) + "/"):
        safe_rmtree(old_lake)
    sizes["runtime root (du -sh)"] = du(root)
    sizes["runtime root (bytes)"] = du(root, human=False)
    if binary and os.path.isfile(resolve_in_root(root, binary)):
        sizes["binary " + binary] = fmt_bytes(os.path.getsize(resolve_in_root(root, binary)))

    def run(argv, desc, as_user=True, env_extra=None, expect=0, limit=25):
        env = dict(img.env)
        env.update(env_extra or {})
        say(f"  $ {' '.join(shlex.quote(a) for a in argv)}" + (f"   [as {user or 'root'}]" if as_user else ""))
        log = os.path.join(work, "logs", "check-" + re.sub(r"[^A-Za-z0-9]+", "-", desc).strip("-") + ".log")
        rc, out = runner.run(root, argv, env, wd, user if as_user else "", log_path=log, echo=False,
                             nice=True, timeout=1800)
        show(out, limit)
        say(f"    exit {rc}")
        return rc, out

    say("==> (a) shared libraries of the binary (ldd in the runtime root)")
    if not binary:
        checks.add("a. ldd finds every library", False, "no ENTRYPOINT binary found")
    else:
        rc, out = run(["ldd", binary], "ldd", as_user=True, limit=60)
        missing = [l.strip() for l in out.splitlines() if "not found" in l]
        checks.add("a. ldd finds every library", rc == 0 and not missing,
                   f"{len(out.splitlines())} entries" if not missing else "missing: " + "; ".join(missing))

    say("==> (b) ENTRYPOINT + CMD as USER (what `docker run IMAGE` does)")
    argv = (img.entrypoint or []) + (img.cmd or [])
    if not argv:
        checks.add("b. ENTRYPOINT + CMD exits 0", False, "no ENTRYPOINT/CMD")
    else:
        rc, out = run(argv, "entrypoint-cmd", limit=12)
        checks.add("b. ENTRYPOINT + CMD exits 0 as USER", rc == 0, " ".join(argv))

    say("==> (c) the job inside the image, as USER, without PostgreSQL (`docker run IMAGE <args>`)")
    ent = img.entrypoint or []
    steps = [
        ("sample-data", ["sample-data", "--lake", "/tmp/lake", "--symbols", "20",
                         "--start", "2024-01-01", "--end", "2024-03-31"]),
        ("run", ["run", "--lake", "/tmp/lake", "--months", "all"]),
        ("table info", ["table", "info", "/tmp/lake/platinum/rankings"]),
    ]
    for name, args in steps:
        rc, out = run(ent + args, "job-" + name, limit=40)
        if not checks.add(f"c. {name}", rc == 0, " ".join(args)):
            break

    say("==> (d) migrations in the image")
    rc, out = run(ent + ["migrate", "--help"], "migrate-help", limit=8)
    checks.add("d. migrate --help exits 0", rc == 0)
    mdir = img.env.get("RANKING_MIGRATIONS_DIR")
    repo_dir = os.path.join(context, "deploy/sql/postgres/migrations")
    want = {n: sha256(os.path.join(repo_dir, n)) for n in sorted(os.listdir(repo_dir))
            if re.match(r"\d{4}_.*\.sql$", n)} if os.path.isdir(repo_dir) else {}
    if not mdir:
        checks.add("d. RANKING_MIGRATIONS_DIR set in the image", False, "not set")
    else:
        host = resolve_in_root(root, mdir)
        have = {n: sha256(os.path.join(host, n)) for n in sorted(os.listdir(host))
                if re.match(r"\d{4}_.*\.sql$", n)} if os.path.isdir(host) else {}
        same = bool(want) and have == want
        checks.add("d. RANKING_MIGRATIONS_DIR holds the repository's migrations", same,
                   f"{mdir}: {', '.join(have) or 'no NNNN_*.sql files'}"
                   + ("" if same else f" (repository: {', '.join(want)})"))
        # migrate reads the files before it connects: an unreachable server proves it found them.
        rc, out = run(ent + ["migrate", "--dsn", "host=/nonexistent-rs-image-check connect_timeout=2"],
                      "migrate-no-server", limit=6)
        read_ok = rc != 0 and "connect to PostgreSQL" in out and "migrations directory" not in out \
            and "no NNNN" not in out
        checks.add("d. migrate reads RANKING_MIGRATIONS_DIR (fails only at connecting)", read_ok,
                   "as expected without a server" if read_ok else "unexpected output")
    if with_postgres:
        check_with_postgres(img, runner, run, ent, checks, work)


def check_with_postgres(img, runner, run, ent, checks, work):
    say("==> (d+) with a throwaway PostgreSQL on the host (scripts/services/pg.sh, 127.0.0.1)")
    pg = os.path.join(REPO, "scripts/services/pg.sh")
    svc = os.path.join(work, "pg")
    os.makedirs(svc, exist_ok=True)
    r = subprocess.run([pg, "start", svc], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        checks.add("d+. throwaway PostgreSQL started", False, r.stdout.strip()[-300:])
        return
    try:
        env = dict(l.split("=", 1) for l in open(os.path.join(svc, "pg.env")).read().split() if "=" in l)
        dsn = env["RS_TEST_PG_DSN"]
        extra = {"POSTGRES_DSN": dsn}
        for name, args in (("migrate", ["migrate"]), ("run", ["run", "--lake", "/tmp/lake", "--months", "all"]),
                           ("verify", ["verify", "--lake", "/tmp/lake", "--months", "all"])):
            rc, out = run(ent + args, "pg-" + name, env_extra=extra, limit=30)
            if not checks.add(f"d+. {name} against PostgreSQL", rc == 0, " ".join(args)):
                break
    finally:
        subprocess.call([pg, "stop", svc], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)


# --------------------------------------------------------------------------
# Self-test of the parser and COPY semantics (no root, no network)
# --------------------------------------------------------------------------

def self_test():
    fails = []

    def eq(name, got, want):
        if got != want:
            fails.append(f"{name}: got {got!r}, want {want!r}")

    df = ("# syntax=docker/dockerfile:1\n# a comment\nFROM debian:bookworm-slim AS build\n"
          "RUN a \\\n  # inner comment\n\n    && b \\ \n    && c\n"
          "ENV A=1 B=\"two words\" C=${A}x\nENV D legacy value\n"
          'CMD ["run", "--help"]\nENTRYPOINT /bin/x\n')
    ins = parse_dockerfile(df)
    eq("keywords", [i.keyword for i in ins], ["FROM", "RUN", "ENV", "ENV", "CMD", "ENTRYPOINT"])
    eq("continuation", ins[1].args, "a     && b     && c")
    eq("line numbers", [i.line for i in ins], [3, 4, 9, 10, 11, 12])
    eq("env k=v", parse_env(ins[2], {"A": "0"}), [("A", "1"), ("B", "two words"), ("C", "0x")])
    eq("env legacy", parse_env(ins[3], {}), [("D", "legacy value")])
    eq("json", json_form(ins[4].args), ["run", "--help"])
    eq("not json", json_form("[not json"), None)
    eq("subst", expand_word("${X:-d}/$Y/'$Y'/\\$Y", {"Y": "y"}), "d/y/$Y/$Y")
    try:
        plan(parse_dockerfile("FROM debian:bookworm-slim\nADD x /x\n"))
        fails.append("ADD accepted")
    except Unsupported:
        pass
    try:
        plan(parse_dockerfile("FROM alpine\n"))
        fails.append("FROM alpine accepted")
    except Unsupported:
        pass
    try:
        plan(parse_dockerfile("FROM debian:bookworm-slim\nRUN --mount=type=cache,target=/x true\n"))
        fails.append("RUN --mount accepted")
    except Unsupported:
        pass

    ig = DockerIgnore(["build*", "**/*.log", "!keep.log", "docs/", "/out", "tests/**/big"])
    eq("ignore build dir", ig.excluded("build-asan/x/y.o"), True)
    eq("ignore nested log", ig.excluded("src/a/b.log"), True)
    eq("re-include", ig.excluded("keep.log"), False)
    eq("dir pattern", ig.excluded("docs/a.md"), True)
    eq("leading slash", ig.excluded("out/lake"), True)
    eq("double star", ig.excluded("tests/x/y/big/z"), True)
    eq("not ignored", ig.excluded("src/main.cc"), False)

    with tempfile.TemporaryDirectory() as t:
        ctx, root = os.path.join(t, "ctx"), os.path.join(t, "root")
        for p in ("src/a/x.cc", "src/b.h", "CMakeLists.txt", "deploy/sql/p/m/0001_a.sql", "src/a/x.log",
                  "cmake/D.cmake"):
            os.makedirs(os.path.join(ctx, os.path.dirname(p)), exist_ok=True)
            open(os.path.join(ctx, p), "w").write(p)
        os.symlink("a/x.cc", os.path.join(ctx, "src/link"))
        os.makedirs(os.path.join(root, "usr/lib"))
        os.symlink("usr/lib", os.path.join(root, "lib"))
        os.makedirs(os.path.join(root, "opt"))
        ign = DockerIgnore(["**/*.log"])
        do_copy(ctx, ["CMakeLists.txt"], root, "./", "/src", ign, True, "ctx")
        eq("file into ./", os.path.isfile(os.path.join(root, "src/CMakeLists.txt")), True)
        do_copy(ctx, ["src"], root, "./src", "/src", ign, True, "ctx")
        eq("dir contents", sorted(os.listdir(os.path.join(root, "src/src"))), ["a", "b.h", "link"])
        eq("symlink kept", os.readlink(os.path.join(root, "src/src/link")), "a/x.cc")
        eq("ignored file skipped", os.path.exists(os.path.join(root, "src/src/a/x.log")), False)
        do_copy(ctx, ["deploy/sql"], root, "/opt/rs/sql", "/", ign, True, "ctx")
        eq("nested dir", os.path.isfile(os.path.join(root, "opt/rs/sql/p/m/0001_a.sql")), True)
        do_copy(ctx, ["src/b.h"], root, "/opt/b2.h", "/", ign, True, "ctx")
        eq("file rename", open(os.path.join(root, "opt/b2.h")).read(), "src/b.h")
        do_copy(ctx, ["src/b.h"], root, "/opt", "/", ign, True, "ctx")
        eq("file into existing dir", os.path.isfile(os.path.join(root, "opt/b.h")), True)
        do_copy(ctx, ["cmake/*.cmake", "src/b.h"], root, "/lib/x/", "/", ign, True, "ctx")
        eq("through root symlink", sorted(os.listdir(os.path.join(root, "usr/lib/x"))), ["D.cmake", "b.h"])
        for bad in ((["nope"], "/x"), (["src/b.h", "CMakeLists.txt"], "/x"), (["src/a/x.log"], "/x")):
            try:
                do_copy(ctx, bad[0], root, bad[1], "/", ign, True, "ctx")
                fails.append(f"COPY {bad} accepted")
            except BuildError:
                pass
        eq("resolve clamps ..", resolve_in_root(root, "/../../etc"), os.path.join(root, "etc"))
        eq("resolve symlink then ..", resolve_in_root(root, "/lib/../etc"), os.path.join(root, "usr/etc"))
    if fails:
        say("self-test FAILED:\n  " + "\n  ".join(fails))
        return 1
    say("self-test passed")
    return 0


# --------------------------------------------------------------------------

USAGE = """usage: deploy/check_dockerfile.sh [options]
  -f, --file PATH      Dockerfile (default: deploy/Dockerfile)
  --context DIR        build context (default: the repository root, as `docker build .`)
  --target NAME        stage to check as the image (default: the last one)
  --with-postgres      also migrate/run/verify from inside the image against a throwaway
                       PostgreSQL on the host (scripts/services/pg.sh)
  --refresh-base       debootstrap the base again instead of using the cached one
  --checks-only        skip the build: run the image checks again on the runtime root the last
                       successful build left (refused when the Dockerfile changed since)
  --quiet              do not stream RUN output (it is always in $RS_IMAGE_CHECK_DIR/logs)
  --clean              remove $RS_IMAGE_CHECK_DIR (cached base included) and exit
  --self-test          unit checks of the Dockerfile parser and COPY/.dockerignore rules
environment: RS_IMAGE_CHECK_DIR (default /tmp/rs-image-check), RS_IMAGE_CHECK_CPUS (default 2)"""


def main(argv):
    opts = {"file": os.path.join(REPO, "deploy/Dockerfile"), "context": REPO, "target": None,
            "with_postgres": False, "refresh": False, "quiet": False, "checks_only": False}
    it = iter(argv)
    for a in it:
        if a in ("-h", "--help"):
            say(USAGE)
            return 0
        if a == "--self-test":
            return self_test()
        if a in ("-f", "--file"):
            opts["file"] = os.path.abspath(next(it))
        elif a == "--context":
            opts["context"] = os.path.abspath(next(it))
        elif a == "--target":
            opts["target"] = next(it).lower()
        elif a == "--with-postgres":
            opts["with_postgres"] = True
        elif a == "--refresh-base":
            opts["refresh"] = True
        elif a == "--quiet":
            opts["quiet"] = True
        elif a == "--checks-only":
            opts["checks_only"] = True
        elif a == "--clean":
            os.makedirs(WORK, exist_ok=True)
            safe_rmtree(WORK)
            say(f"removed {WORK}")
            return 0
        else:
            say(USAGE)
            return 2
    cpus = int(os.environ.get("RS_IMAGE_CHECK_CPUS", "2"))
    os.umask(0o022)
    t_start = time.time()
    dockerfile, context = opts["file"], opts["context"]
    say(f"==> Dockerfile {dockerfile}")
    say(f"    context {context}")
    with open(dockerfile, "rb") as f:
        raw = f.read()
    dockerfile_sha = hashlib.sha256(raw).hexdigest()
    instrs = parse_dockerfile(raw.decode("utf-8"))
    stages = plan(instrs)
    ignore = load_dockerignore(context, dockerfile)
    if ignore.source:
        say(f"    .dockerignore: {ignore.source} ({len(ignore.rules)} patterns) is honoured by COPY")
    else:
        say("    .dockerignore: none (Dockerfile.dockerignore or <context>/.dockerignore); "
            "every file of the context is visible to COPY")
    if opts["target"]:
        target = next((s for s in stages if s.name == opts["target"]), None)
        if target is None:
            raise BuildError(f"--target {opts['target']}: no such stage")
    else:
        target = stages[-1]
    order = needed_stages(stages, target)
    skipped = [s.label() for s in stages if s not in order]
    say(f"    stages: {', '.join(s.label() for s in stages)}; image = {target.label()}"
        + (f"; not needed: {', '.join(skipped)}" if skipped else ""))
    say(f"    RUN steps: nice -n 10, at most {cpus} CPU(s); work dir {WORK}")

    os.makedirs(WORK, exist_ok=True)
    lock = open(os.path.join(WORK, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise BuildError(f"another check_dockerfile run holds {WORK}/.lock")
    if opts["checks_only"]:
        return checks_only(dockerfile_sha, dockerfile, context, cpus, opts, t_start)
    for d in ("stages", "logs"):
        safe_rmtree(os.path.join(WORK, d))
        os.makedirs(os.path.join(WORK, d))
    runner = Runner(WORK, cpus, opts["quiet"])
    timings, sizes, checks = [], {}, Checks()
    build_ok = False
    try:
        t0 = time.time()
        base, fresh = ensure_base(WORK, MIRROR, opts["refresh"])
        timings.append(("base image (" + ("debootstrap" if fresh else "cached") + ")", time.time() - t0))
        sizes["base root (debootstrap + slim)"] = du(base)
        build(stages, order, base, context, dockerfile, ignore, runner, WORK, timings)
        build_ok = True
        save_image_config(target, dockerfile_sha)
        for s in order:
            if s is not target:
                sizes[f"stage {s.label()} root"] = du(s.root)
        t0 = time.time()
        check_image(target, runner, WORK, context, opts["with_postgres"], checks, sizes)
        timings.append(("image checks", time.time() - t0))
    except BuildError as e:
        say(f"\nBUILD FAILED: {e}")
    finally:
        runner.kill_all()
        left = leftover_mounts(WORK, unmount=True)
        if left:
            say(f"WARNING: could not unmount {left}")
    return summary(dockerfile, f"{'OK' if build_ok else 'FAILED'} ({len(order)} stage(s), image = {target.label()})",
                   build_ok, timings, checks, sizes, t_start)


def summary(dockerfile, build_line, build_ok, timings, checks, sizes, t_start):
    total = time.time() - t_start
    say("\n==================== summary ====================")
    say(f"Dockerfile      {os.path.relpath(dockerfile, REPO) if dockerfile.startswith(REPO) else dockerfile}")
    say(f"build           {build_line}")
    for name, secs in timings:
        if secs >= 5:
            say(f"  {secs:7.0f}s  {name}")
    for name, ok, detail in checks.rows:
        say(f"{'PASS' if ok else 'FAIL'}  {name}")
    for k, v in sizes.items():
        say(f"size  {k}: {v}")
    say(f"roots and logs  {WORK}/stages, {WORK}/logs")
    say(f"total time      {total:.0f}s ({total / 60:.1f} min)")
    ok = build_ok and checks.ok and checks.rows
    say("RESULT          " + ("FAILED" if not ok else "OK: the Dockerfile builds and the image works"
                                 if timings else "OK: the image works (build not redone)"))
    return 0 if ok else 1


def save_image_config(img, dockerfile_sha):
    cfg = {"dockerfile_sha256": dockerfile_sha, "stage": img.label(), "root": img.root, "env": img.env,
           "workdir": img.workdir, "user": img.user, "entrypoint": img.entrypoint, "cmd": img.cmd}
    write(os.path.join(WORK, "stages", "image.json"), json.dumps(cfg, indent=1) + "\n")


def checks_only(dockerfile_sha, dockerfile, context, cpus, opts, t_start):
    path = os.path.join(WORK, "stages", "image.json")
    if not os.path.isfile(path):
        raise BuildError(f"--checks-only: no successful build in {WORK} (no {path}); run without it first")
    cfg = json.load(open(path))
    if cfg["dockerfile_sha256"] != dockerfile_sha:
        raise BuildError("--checks-only: the Dockerfile changed since the last build; run without --checks-only")
    img = Stage(-1, cfg["stage"], None)
    img.root, img.env, img.workdir, img.user = cfg["root"], cfg["env"], cfg["workdir"], cfg["user"]
    img.entrypoint, img.cmd = cfg["entrypoint"], cfg["cmd"]
    say(f"==> --checks-only: image {img.label()} from the last build ({img.root})")
    os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
    runner = Runner(WORK, cpus, opts["quiet"])
    sizes, checks = {}, Checks()
    try:
        check_image(img, runner, WORK, context, opts["with_postgres"], checks, sizes)
    except BuildError as e:
        say(f"\nCHECK FAILED: {e}")
        checks.add("checks ran", False, str(e))
    finally:
        runner.kill_all()
        leftover_mounts(WORK, unmount=True)
    return summary(dockerfile, "skipped (--checks-only: the last build's roots)", True, [], checks, sizes, t_start)


def on_term(signum, frame):
    signal.signal(signum, signal.SIG_IGN)
    say(f"check_dockerfile: signal {signum}: stopping the running step, cleaning up")
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    try:
        sys.exit(main(sys.argv[1:]))
    except Unsupported as e:
        say(f"check_dockerfile: unsupported Dockerfile construct: {e}")
        sys.exit(2)
    except BuildError as e:
        say(f"check_dockerfile: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        say("check_dockerfile: interrupted")
        sys.exit(130)
PYEOF
child=$!
wait "$child"
rc=$?
child=""
exit "$rc"
