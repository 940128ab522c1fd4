# docs - the manual page and the README say what the program does, and stand
# on their own:
#   - every policies/NAME.rules:N they cite is a rule of the shipped file (not
#     a blank line or a comment), and says the text shown beside it;
#   - the `belay policy test` examples print what they show;
#   - the README links nothing outside the repository;
#   - groff finds nothing to warn about in the manual page;
#   - every action and option of the default keymap is in the manual page, and
#     its "Default bindings" list is the default keymap's.
. "$(dirname "$0")/lib.sh"

MAN=$ROOT/doc/belay.1
README=$ROOT/README.md
KEYS=$ROOT/keymaps/default.keys
DOCS_PY=$T/docs.py

cat >"$DOCS_PY" <<'PY'
import json, os, re, shlex, sys

# troff escapes the manual page uses, as the text they stand for
ESCAPES = [(r"\-", "-"), (r"\(ti", "~"), (r"\(aq", "'"), (r"\(dq", '"'), (r"\(lq", '"'),
           (r"\(rq", '"'), (r"\[u00B7]", "\u00b7"), (r"\&", ""), (r"\fB", ""), (r"\fI", ""),
           (r"\fR", ""), (r"\fP", ""), (r"\e", "\\")]


def plain(line, troff):
    if troff:
        for esc, text in ESCAPES:
            line = line.replace(esc, text)
    return line


def words(text):
    """A policy line's words, as the policy parser splits them (no comment)."""
    out = []
    for w in text.split():
        if w.startswith("#"):
            break
        out.append(w)
    return out


def doc_lines(path):
    troff = path.endswith(".1")
    return [plain(l.rstrip("\n"), troff) for l in open(path, encoding="utf-8")]


CITE = re.compile(r"policies/([A-Za-z0-9_-]+)\.rules:(\d+)")
VERDICT = re.compile(r"^\s+((?:allow|ask|deny|default|launcher)\b.*)$")
JSON_TEXT = re.compile(r'^"\s*,\s*"text"\s*:\s*"((?:[^"\\]|\\.)*)"')


def citations(root, docs):
    """PASS/FAIL lines: each citation is a rule, and says what is beside it."""
    for doc in docs:
        lines = doc_lines(doc)
        name = os.path.relpath(doc, root)
        for i, line in enumerate(lines):
            for m in CITE.finditer(line):
                cite = m.group(0)
                where = "%s:%d: %s" % (name, i + 1, cite)
                path = os.path.join(root, "policies", m.group(1) + ".rules")
                if not os.path.isfile(path):
                    yield "FAIL", where, "no such policy file in policies/"
                    continue
                rules = open(path, encoding="utf-8").read().split("\n")
                n = int(m.group(2))
                if n < 1 or n > len(rules):
                    yield "FAIL", where, "%s has %d lines" % (m.group(1) + ".rules", len(rules))
                    continue
                rule = rules[n - 1].strip()
                if not rule or rule.startswith("#"):
                    yield "FAIL", where, "line %d is %s: %r" % (n, "blank" if not rule else "a comment", rule)
                    continue
                # the rule's text, where the doc shows it beside the citation:
                # a `belay policy test` line, or an event's "text" field
                rest = line[m.end():]
                shown = None
                v = VERDICT.match(rest)
                if v:
                    shown = v.group(1)
                else:
                    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
                    j = JSON_TEXT.match(rest.rstrip() + (nxt if rest.rstrip() in ('",', '"') else ""))
                    if j:
                        shown = json.loads('"%s"' % j.group(1))
                if shown is not None and words(shown) != words(rule):
                    yield "FAIL", where, "the doc shows %r beside it, line %d says %r" % (shown.strip(), n, rule)
                    continue
                yield "PASS", where + (" says '%s'" % " ".join(words(shown)) if shown else " is a rule"), ""


def examples(root, docs):
    """The `$ belay policy test ...` examples: (doc:line, argv, expected lines)."""
    for doc in docs:
        lines = [l.strip() for l in doc_lines(doc)]
        for i, line in enumerate(lines):
            if not line.startswith("$ belay policy test"):
                continue
            want = []
            for l in lines[i + 1:]:
                if not l or l.startswith("$ ") or l.startswith(".") or l.startswith("```"):
                    break
                want.append(l)
            yield "%s:%d" % (os.path.relpath(doc, root), i + 1), shlex.split(line[2:]), want


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HTML = re.compile(r"(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I)
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I)


def links(root, readme):
    text = open(readme, encoding="utf-8").read()
    targets = LINK.findall(text) + HTML.findall(text)
    targets += [m.group(1) for l in text.split("\n") for m in [REFDEF.match(l)] if m]
    seen = set()
    for t in targets:
        if t in seen:
            continue
        seen.add(t)
        path = t.split("#")[0].split("?")[0]
        if re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I) or t.startswith("//"):
            yield "FAIL", "README links %s" % t, "a link outside the repository"
        elif not path:
            yield "PASS", "README links %s (a heading of its own)" % t, ""
        elif path.startswith(("/", "~")) or ".." in path.split("/"):
            yield "FAIL", "README links %s" % t, "not a path inside the repository"
        else:
            full = os.path.realpath(os.path.join(root, path))
            if not full.startswith(os.path.realpath(root) + os.sep) or not os.path.exists(full):
                yield "FAIL", "README links %s" % t, "no such file in the repository"
            else:
                yield "PASS", "README links %s, a file of the repository" % t, ""
    for m in URL.finditer(text):
        yield "FAIL", "README names %s" % m.group(0), "a web address: the README must stand on its own"


def macro_text(line):
    """The text a .B/.BR/.TP-style line shows: its arguments, joined as the macro joins them."""
    m = re.match(r"^\.(B|I|BR|RB|BI|IB|IR|RI)\s+(.*)$", line)
    if not m:
        return line
    try:
        args = shlex.split(m.group(2).replace("\\", "\\\\"), posix=True)
    except ValueError:
        args = m.group(2).split()
    sep = " " if m.group(1) in ("B", "I") else ""
    return sep.join(args)


def keymap(keys):
    binds, options = set(), set()
    for l in open(keys, encoding="utf-8"):
        w = shlex.split(l, comments=True)
        if len(w) == 4 and w[0] == "bind":
            binds.add((w[1], w[2], w[3]))
        elif len(w) == 3 and w[0] == "set":
            options.add(w[1])
    return binds, options


def section(lines, title):
    out, inside = [], False
    for l in lines:
        if l.startswith(".SS ") or l.startswith(".SH "):
            inside = l[4:].strip().strip('"') == title
            continue
        if inside:
            out.append(l)
    return out


def keys_documented(man, keys):
    lines = doc_lines(man)
    binds, options = keymap(keys)
    actions = {b[2] for b in binds}
    listed = {macro_text(l) for l in section(lines, "Actions") if l.startswith(".B ")}
    for a in sorted(actions):
        if a in listed:
            yield "PASS", "the action %s is described under Actions" % a, ""
        else:
            yield "FAIL", "the action %s is described under Actions" % a, "no '.B %s' there" % a
    statements = "\n".join(macro_text(l) for l in section(lines, "Statements"))
    for o in sorted(options):
        if re.search(r"(^|\n)set %s\b" % re.escape(o), statements):
            yield "PASS", "the option 'set %s' is described under Statements" % o, ""
        else:
            yield "FAIL", "the option 'set %s' is described under Statements" % o, "not there"
    # the "Default bindings" list, table by table, against default.keys
    prefix = next(l.split()[2] for l in open(keys) if l.split()[:2] == ["set", "prefix"])
    shown, table, key = set(), None, None
    for l in section(lines, "Default bindings"):
        t = re.match(r"^\.RB \( ([a-z]+) \)", l)
        if t:
            table = t.group(1)
            continue
        if l.startswith(".TP"):
            key = None
            continue
        if l.startswith(".PP"):
            table = key = None
            continue
        if table and key is None and l.startswith("."):
            key = [k.strip() for k in macro_text(l).split(", ")]
            continue
        if table and key is not None and not l.startswith("."):
            for k in key:
                if table == "prefix":
                    k = k[len(prefix):].strip() if k.startswith(prefix + " ") else "?" + k
                shown.add((table, k, l.strip()))
            key = None
    for b in sorted(binds - shown):
        yield "FAIL", "Default bindings lists bind %s %s %s" % b, "default.keys binds it; the manual page does not list it"
    for b in sorted(shown - binds):
        yield "FAIL", "Default bindings lists only what default.keys binds", "the manual page lists %s %s %s" % b
    if binds == shown:
        yield "PASS", "Default bindings lists the %d bindings of default.keys, table by table" % len(binds), ""


what = sys.argv[1]
if what == "citations":
    results = citations(sys.argv[2], sys.argv[3:])
elif what == "links":
    results = links(sys.argv[2], sys.argv[3])
elif what == "keys":
    results = keys_documented(sys.argv[2], sys.argv[3])
elif what == "examples":
    for where, argv, want in examples(sys.argv[2], sys.argv[3:]):
        print("%s\t%s\t%s" % (where, json.dumps(argv), json.dumps(want)))
    sys.exit(0)
for verdict, desc, detail in results:
    print("%s\t%s\t%s" % (verdict, desc, detail))
PY

# report FILE: PASS/FAIL lines from docs.py as TAP
report() {
	if [ ! -s "$1" ]; then
		not_ok "docs.py found nothing to check" "$(cat "$T/py.err" 2>/dev/null)"
		return
	fi
	while IFS='	' read -r verdict desc detail; do
		if [ "$verdict" = PASS ]; then ok "$desc"; else not_ok "$desc" "$detail"; fi
	done <"$1"
}

# --- (a) every cited policy line is a rule, and says what is shown beside it
python3 "$DOCS_PY" citations "$ROOT" "$MAN" "$README" >"$T/cite" 2>"$T/py.err"
report "$T/cite"
check "the manual page cites policy lines" grep -q 'policies/default.rules:[0-9]' "$MAN"

# --- the `belay policy test` examples print what they show.  The home and
# the workspace are outside /tmp, which the default policy lets change.
if [ -x "$BELAY" ]; then
	D=$(mktemp -d "$SCRATCH/docs-test.XXXXXX")
	trap 'cleanup; rm -rf "$D"' EXIT
	mkdir -p "$D/home/src/shop" "$D/cwd"
	python3 "$DOCS_PY" examples "$ROOT" "$MAN" "$README" >"$T/examples" 2>"$T/py.err"
	check "the docs show belay policy test examples" test -s "$T/examples"
	while IFS='	' read -r where argv want; do
		got=$(cd "$D/cwd" && HOME="$D/home" XDG_CONFIG_HOME= python3 - "$BELAY" "$D/home" "$argv" <<'PY'
import json, subprocess, sys
belay, home, argv = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
argv = [home + a[1:] if a == "~" or a.startswith("~/") else a for a in argv]
out = subprocess.run([belay] + argv[1:], capture_output=True, text=True).stdout
print(json.dumps([" ".join(l.split()) for l in out.splitlines()]))
PY
)
		want=$(printf '%s' "$want" | python3 -c 'import json,sys; print(json.dumps([" ".join(l.split()) for l in json.load(sys.stdin)]))')
		check_eq "$where: $(printf '%s' "$argv" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)))') prints what the doc shows" "$want" "$got"
	done <"$T/examples"
else
	ok "belay policy test examples # SKIP build/belay is not built"
fi

# --- (b) the README links nothing outside the repository
python3 "$DOCS_PY" links "$ROOT" "$README" >"$T/links" 2>"$T/py.err"
report "$T/links"
# no "../x": a file beside the repository is not the reader's
check_eq "README.md and doc/belay.1 name no file outside the repository (../)" "" \
	"$(grep -nE "(^|[[:space:](\"'\`])\\.\\./" "$README" "$MAN")"

# --- (c) groff has nothing to warn about
if command -v groff >/dev/null 2>&1; then
	out=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	check_eq "groff -man -Tutf8 -ww -z doc/belay.1: no warnings" "0:" "$?:$out"
elif command -v man >/dev/null 2>&1 && man --warnings -l "$MAN" >/dev/null 2>"$T/groff"; then
	check_eq "man --warnings -l doc/belay.1: no warnings" "" "$(cat "$T/groff")"
else
	ok "groff finds no warnings in doc/belay.1 # SKIP neither groff nor man is installed"
fi

# --- (d) every action and option of the default keymap is in the manual page
python3 "$DOCS_PY" keys "$MAN" "$KEYS" >"$T/keys" 2>"$T/py.err"
report "$T/keys"

# --- (e) every name of a closed set in the events (decided by, checkpoint kinds) is in the manual page
missing=""
for name in $(sed -n 's/^\t\[\(DECIDED\|CP\)_[A-Z_]*\] = "\([a-z-]*\)",$/\2/p' "$ROOT/supervisor/event.c"); do
	grep -q "^\.B\(R\)\? $(echo "$name" | sed 's/-/\\\\-/g')\b" "$MAN" || missing="$missing $name"
done
check_eq "the manual names every decider and checkpoint kind of the events" "" "$missing"

finish
