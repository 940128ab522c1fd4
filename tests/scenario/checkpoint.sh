# checkpoint - a real session checkpoints the workspace at every step; belay
# log, diff, rollback and revert read and restore them from the command line;
# a held delete is checkpointed before it is let through; a full disk in the
# middle of a rollback is finished by the next belay command.
. "$(dirname "$0")/lib.sh"

base=$(mktemp -d "$SCRATCH/checkpoint-test.XXXXXX")
ws=$base/ws
export XDG_STATE_HOME=$base/state
mkdir -p "$ws"
cd "$ws" || exit 1
printf 'one\ntwo\nthree\n' >a.txt
echo keep >b.txt
git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm init
gitsum() { find .git -type f | sort | xargs sha1sum; }

# --- a session: a shell command, python writing files, git committing
"$BELAY" --headless --events "$base/ev.jsonl" -- sh -c '
printf "one\nTWO\nthree\n" > a.txt
rm b.txt
python3 -c "open(\"new file.txt\",\"w\").write(\"made by python\n\")"
mkdir -p d/e && echo deep > d/e/f
git add -A && git -c user.name=a -c user.email=a@a commit -qm agent
' >"$base/out" 2>&1
check_eq "the session ends well" 0 "$?"
check "a baseline checkpoint comes first" sh -c "head -1 '$base/ev.jsonl' | grep -q '\"kind\":\"baseline\"'"
n=$(grep -c '"type":"checkpoint","step":[1-9][0-9]*,"kind":"step"' "$base/ev.jsonl")
check "steps that changed files are checkpointed when they end ($n)" test "$n" -ge 4

gitsum >"$base/git.before"
"$BELAY" log >"$base/log"
check_eq "belay log lists the session" 1 "$(grep -c '^session 1 ' "$base/log")"
check "belay log lists the steps with their commands" grep -q 'rm b.txt' "$base/log"
check "belay log in a pipe has no escape sequences" sh -c "! grep -q \"\$(printf '\\033')\" '$base/log'"
step_rm=$(grep '^  .* rm b.txt$' "$base/log" | awk '{print $1}')

"$BELAY" diff "$step_rm" >"$base/diff"
check "belay diff STEP shows what the step deleted" grep -q '^-keep' "$base/diff"
"$BELAY" diff >"$base/diff-all"
check "belay diff shows the session so far" sh -c "grep -q '^+TWO' '$base/diff-all' && grep -q '^+made by python' '$base/diff-all'"

# --- rollback to before a step, and back again
"$BELAY" rollback "$step_rm" >"$base/rb" 2>&1
check_eq "belay rollback succeeds" 0 "$?"
check "the deleted file is back" test "$(cat b.txt)" = keep
check "files made later are gone" sh -c "! test -e 'new file.txt' && ! test -e d"
check "the modified file is as it was then" test "$(sed -n 2p a.txt)" = TWO
check "rollback says the agent moved the branch, and leaves it" grep -q "refs/heads/master' was at" "$base/rb"
undo=$(sed -n 's/^to undo it: //p' "$base/rb")
"$BELAY" ${undo#belay } >/dev/null 2>&1
check "the rollback is undone by rolling it back" sh -c "! test -e b.txt && test -e 'new file.txt' && test -e d/e/f"
gitsum >"$base/git.after"
check "the user's .git is unchanged by log, diff and rollback" cmp -s "$base/git.before" "$base/git.after"

# --- revert one step, keep the later ones
"$BELAY" revert "$step_rm" >"$base/rv" 2>&1
check "belay revert brings back what the step deleted, keeps the rest" \
	sh -c "test \"\$(cat b.txt)\" = keep && test -e 'new file.txt'"

# --- bad input
"$BELAY" rollback >/dev/null 2>"$base/err"
check_eq "rollback without a step: usage, exit 2" 2 "$?"
"$BELAY" rollback 99 >/dev/null 2>"$base/err"
check_eq "rollback of a step that does not exist: a usage error, exit 2" 2 "$?"
check "… and says so" grep -q 'no step 99' "$base/err"
"$BELAY" diff x:y >/dev/null 2>"$base/err"
check "a step that is not one is named" grep -q "'x:y' is not a step" "$base/err"
mkdir -p "$base/never"
"$BELAY" log -C "$base/never" >/dev/null 2>"$base/err"
check_eq "log where belay never ran: exit 1" 1 "$?"
check "… and says so" grep -q 'belay has not run there' "$base/err"

# --- a held delete is checkpointed before it runs
mkdir -p keep
echo v1 >keep/f
{ cat "$ROOT/policies/default.rules"; echo 'ask delete path $WORKSPACE/keep/**'; } >"$base/p.rules"
"$BELAY" --headless --policy "$base/p.rules" --on-ask allow --events "$base/ev2.jsonl" -- python3 -c '
import os
open("keep/f", "w").write("v2, never checkpointed otherwise\n")
os.unlink("keep/f")
' >/dev/null 2>&1
wa=$(grep '"kind":"write-ahead"' "$base/ev2.jsonl" | sed 's/.*"commit":"\([0-9a-f]*\)".*/\1/')
check "a held unlink is preceded by a write-ahead checkpoint" test -n "$wa"
shadow=$(ls -d "$XDG_STATE_HOME"/belay/shadow/*.git)
check "… that holds the content it destroyed" \
	sh -c "git --git-dir='$shadow' show '$wa:keep/f' | grep -q 'v2, never'"
check "… and the delete then ran" test ! -e keep/f

# --- a disk that fills in the middle of a rollback
if unshare -Urm true 2>/dev/null; then
	cat >"$base/full.sh" <<EOF
set -e
mount -t tmpfs -o size=512k tmpfs "$base/small"
cd "$base/small"
for i in 1 2 3 4 5 6; do head -c 60000 /dev/urandom >f\$i; done
echo filler >.gitignore
"$BELAY" --headless -- sh -c 'rm f*; head -c 400000 /dev/zero >filler' >/dev/null
"$BELAY" rollback 1 >"$base/full.out" 2>&1 && exit 9
ls >"$base/full.ls"
rm filler
"$BELAY" log >"$base/full.log" 2>"$base/full.resume"
for i in 1 2 3 4 5 6; do test -s f\$i; done
echo restored
EOF
	mkdir -p "$base/small"
	check_eq "a full disk stops the rollback, the next command finishes it" restored \
		"$(unshare -Urm sh "$base/full.sh" 2>"$base/full.err")"
	check "the failed rollback names the files that remain" grep -q 'remain to restore' "$base/full.out"
	check "the next command says what it restores" grep -q 'interrupted rollback to before 1:1 left' "$base/full.resume"
else
	ok "# skip: no user namespaces for a small tmpfs"
fi

# --- a rollback beside a running session is not taken for the agent's doing
mkdir -p "$base/w4" && cd "$base/w4" || exit 1
echo base >kept
# careful: the step that runs beside the rollback must last until the
# rollback is done: it is a cat of a FIFO that the test writes only then.  A
# sleep would end on its own, and on a slow machine let the agent go on
# while the rollback still runs.
mkfifo "$base/go"
"$BELAY" --headless --events "$base/ev4.jsonl" -- sh -c 'echo a >x; cat "$0"; echo b >y' "$base/go" \
	>/dev/null 2>&1 &
spid=$!
wait_until grep -qs '"type":"step-start",.*"cmd":"cat ' "$base/ev4.jsonl"
"$BELAY" rollback 1 >"$base/rb4" 2>&1
check "a rollback runs beside a session" test ! -e x
timeout 20 sh -c 'echo go >"$1"' sh "$base/go"
wait $spid
last=$(grep '"type":"checkpoint"' "$base/ev4.jsonl" | grep '"kind":"step"' | tail -1)
check "the step after it shows only its own change" sh -c "echo '$last' | grep -q '\"changed\":1,'"
shadow4=$(grep -l "$base/w4\$" "$XDG_STATE_HOME"/belay/shadow/*.git/workspace | xargs dirname)
check "the rollback's changes are a checkpoint of their own" \
	sh -c "git --git-dir='$shadow4' log --format=%s refs/belay/sessions/1 | grep -q '^restore'"

# --- the policy's checkpoint lines: skip, keep, max-size
mkdir -p "$base/w3/cache" && cd "$base/w3" || exit 1
echo tok >.env && echo .env >.gitignore && echo c >cache/x && echo s >src.c && head -c 5000 /dev/zero >big
{ cat "$ROOT/policies/default.rules"; echo 'checkpoint skip cache/'; echo 'checkpoint keep .env'
  echo 'checkpoint max-size 1K'; } >"$base/p3.rules"
"$BELAY" --headless --policy "$base/p3.rules" -- true >/dev/null 2>&1
sh3=$(grep -l "$base/w3\$" "$XDG_STATE_HOME"/belay/shadow/*.git/workspace | xargs dirname)
check_eq "checkpoint skip, keep and max-size decide what is checkpointed" ".env .gitignore src.c" \
	"$(git --git-dir="$sh3" ls-tree -r --name-only refs/belay/sessions/1 | tr '\n' ' ' | sed 's/ $//')"
check "belay log lists the file over the limit" sh -c "'$BELAY' log | grep -q 'over the size limit): big (4 KB)'"
printf 'checkpoint max-size -5\ncheckpoint frob x\n' >"$base/bad.rules"
"$BELAY" policy check "$base/bad.rules" >/dev/null 2>"$base/err"
check_eq "bad checkpoint lines: exit 2" 2 "$?"
check "… each named with its line" sh -c "grep -q 'bad.rules:1: checkpoint max-size' '$base/err' && grep -q \"bad.rules:2: unknown checkpoint setting 'frob'\" '$base/err'"

# --- belay gc: old sessions go, what they alone held is pruned, the rest still rolls back
mkdir -p "$base/w5" && cd "$base/w5" || exit 1
echo base >a.txt && printf 'build/\n' >.gitignore
for i in 1 2 3 4 5; do
	"$BELAY" --headless -- sh -c "head -c 300000 /dev/urandom >big$i; rm -f big$((i - 1)); mkdir -p build; echo o >build/o$i; rm build/o$i" >/dev/null 2>&1
done
sh5=$(grep -l "$base/w5\$" "$XDG_STATE_HOME"/belay/shadow/*.git/workspace | xargs dirname)
"$BELAY" gc --dry-run --keep 2 --days 0 >"$base/gc-dry" 2>&1
check "gc --dry-run names the sessions it would drop" grep -q '^would drop 3 of 5 sessions .*: 1, 2, 3$' "$base/gc-dry"
check_eq "… and drops none" 5 "$("$BELAY" log | grep -c '^session ')"
"$BELAY" gc >"$base/gc-default" 2>&1
check "gc keeps recent sessions by default" grep -q '^dropped 0 of 5 sessions (keeping the newest 20 and those of the last 14 days)' "$base/gc-default"
du_before=$(du -sk "$sh5" | cut -f1)
"$BELAY" gc --keep 2 --days 0 >"$base/gc" 2>&1
check_eq "gc --keep 2 --days 0 drops the older sessions" "4 5" "$("$BELAY" log | sed -n 's/^session \([0-9]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
check "gc says what it took away" grep -q '^history: .* MB, was .* MB (.* objects kept, .* files pruned, 3 kept-file folders removed)' "$base/gc"
check "the dropped sessions' kept files are gone" sh -c "! test -e '$sh5/kept/1' && ! test -e '$sh5/kept/3' && test -e '$sh5/kept/5'"
check "the store is smaller ($du_before KB before, $(du -sk "$sh5" | cut -f1) KB after)" test "$(du -sk "$sh5" | cut -f1)" -lt "$du_before"
check "the store is whole after gc (git fsck)" sh -c "git --git-dir='$sh5' fsck --no-dangling 2>&1 | grep -v unborn | grep -q . && exit 1 || exit 0"
"$BELAY" rollback 4:1 >/dev/null 2>&1
check "a kept session still rolls back byte for byte" sh -c "test -s big3 && ! test -e big4 && ! test -e big5"
"$BELAY" gc --keep 0 >/dev/null 2>"$base/err"
check_eq "gc --keep 0: a usage error" 2 "$?"
"$BELAY" gc 3 >/dev/null 2>&1
check_eq "gc takes no step: a usage error" 2 "$?"
{ cat "$ROOT/policies/default.rules"; echo 'checkpoint history 2 0'; } >"$base/p5.rules"
for i in 1 2 3; do "$BELAY" --headless --policy "$base/p5.rules" -- sh -c "echo $i >n$i" >/dev/null 2>&1; done
check_eq "the policy's 'checkpoint history 2 0' keeps two sessions, by itself at the end of a session" \
	2 "$("$BELAY" log | grep -c '^session ')"
printf 'checkpoint history 0\ncheckpoint history 5 -1\ncheckpoint history\n' >"$base/bad5.rules"
"$BELAY" policy check "$base/bad5.rules" >/dev/null 2>"$base/err"
check "bad history lines are errors, each named with its line" sh -c "grep -q 'bad5.rules:1: checkpoint history' '$base/err' && grep -q 'bad5.rules:2: checkpoint history' '$base/err' && grep -q 'bad5.rules:3: usage: checkpoint history' '$base/err'"

cd /
[ -n "${KEEP:-}" ] || rm -rf "$base"
finish
