# reversible - what .gitignore hides comes back too: a real rm -rf of
# build/, node_modules/ and .env and a truncated ignored log are kept by belay
# and rolled back byte for byte with their modes; past the policy's budget
# the call is asked about; names git refuses (.Git, git~1) are checkpointed
# and restored; a file changed through a hard link from outside is seen.
. "$(dirname "$0")/lib.sh"

base=$(mktemp -d "$SCRATCH/reversible-test.XXXXXX")
ws=$base/ws
export XDG_STATE_HOME=$base/state
mkdir -p "$ws"
cd "$ws" || exit 1
printf 'build/\nnode_modules/\n.env\n*.log\n' >.gitignore
echo 'int main;' >main.c
git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm init
mkdir -p build/obj node_modules/left-pad/lib
head -c 100000 /dev/urandom >build/obj/big.o
printf '#!/bin/sh\necho tool\n' >build/tool && chmod 755 build/tool
ln -s obj/big.o build/current
echo 'module.exports = 1' >node_modules/left-pad/lib/index.js
printf 'AWS_SECRET=abc\n' >.env && chmod 600 .env
seq 1 2000 >server.log
snapshot() { (cd "$ws" && find build node_modules .env server.log main.c \( -type f -o -type l \) -print0 | sort -z |
	xargs -0 stat -c '%n %a %F %s' && find build node_modules .env server.log main.c -type f -print0 | sort -z |
	xargs -0 sha1sum && find build -type l -exec readlink {} \;); }
snapshot >"$base/before"

"$BELAY" --headless --events "$base/ev.jsonl" -- sh -c '
rm -rf build node_modules .env
: > server.log
echo "int main(void) { return 0; }" > main.c
' >"$base/out" 2>&1
check_eq "the session ends well" 0 "$?"
check "the files are gone after the session" sh -c "! test -e build && ! test -e node_modules && ! test -e .env && ! test -s server.log"
check "the checkpoint events count the kept files" grep -q '"kept":6' "$base/ev.jsonl"

"$BELAY" log >"$base/log"
check "belay log lists the ignored files the rm kept" grep -q '+ 5 ignored files kept' "$base/log"
check "belay log lists the truncated log" grep -q '+ 1 ignored file kept: server.log' "$base/log"
check "a step that only destroyed ignored files is not 'no change'" sh -c "grep 'rm -rf build' '$base/log' | grep -q ignored"
rm_step=$(grep '  rm -rf build' "$base/log" | awk '{print $1}')
"$BELAY" diff --stat "$rm_step" >"$base/stat"
check "belay diff --stat lists them, marked as ignored" grep -q '^ build/obj/big.o | ignored file, deleted' "$base/stat"
"$BELAY" diff "$rm_step" >"$base/diff"
check "belay diff names them" grep -q 'ignored file deleted: .env' "$base/diff"

"$BELAY" rollback 1:1 >"$base/rb" 2>&1
check_eq "belay rollback succeeds" 0 "$?"
check "rollback says how many ignored files it restored" grep -q '6 ignored files restored' "$base/rb"
snapshot >"$base/after"
check "every file is back byte for byte, with its mode and links" diff "$base/before" "$base/after"
check "a kept link is restored as the link" test "$(readlink build/current)" = obj/big.o

# the rollback can be rolled back: the truncated log comes back empty
undo=$(sed -n 's/^to undo it: //p' "$base/rb")
"$BELAY" ${undo#belay } >/dev/null 2>&1
check "undoing the rollback restores what it replaced" sh -c "! test -s server.log && grep -q 'return 0' main.c"

# --- revert of one step brings back what it deleted, not what is there again
"$BELAY" --headless -- sh -c 'rm -rf build; echo x >> main.c' >/dev/null 2>&1
"$BELAY" rollback 1:1 >/dev/null 2>&1
"$BELAY" --headless -- sh -c 'rm -f .env; rm -rf node_modules' >/dev/null 2>&1
n=$("$BELAY" log | grep -c '^session')
"$BELAY" revert "$n:1" >"$base/rv" 2>&1
check ".env is back after a revert of the step that deleted it" sh -c "grep -q AWS_SECRET .env && test \$(stat -c %a .env) = 600"

# --- past the budget, the call is asked about (headless: denied)
cat >"$base/small.rules" <<'EOF'
default exec allow
default write ask
default delete ask
checkpoint budget 10K
allow write  path $WORKSPACE/**
allow delete path $WORKSPACE/**
EOF
"$BELAY" --headless --policy "$base/small.rules" --events "$base/ev2.jsonl" -- sh -c 'rm -f build/obj/big.o; rm -f build/tool' >"$base/out2" 2>&1
check "a file past the budget is not deleted without a person" test -s build/obj/big.o
check "the reason is in the events" grep -q "would pass this session's budget" "$base/ev2.jsonl"
check "the decision names the budget" grep -q '"rule":"(keep budget)"' "$base/ev2.jsonl"
check "a small file within the budget is kept and deleted" sh -c "! test -e build/tool"

# --- names git refuses are content like any other
"$BELAY" --headless --events "$base/ev3.jsonl" -- sh -c 'echo 1 > .Git; echo 2 > git~1; mkdir .GIT; echo 3 > .GIT/f; echo 4 > ".git."' >/dev/null 2>&1
check "no checkpoint failed" sh -c "! grep -q '\"error\"' '$base/ev3.jsonl'"
"$BELAY" --headless -- sh -c 'rm -rf .Git git~1 .GIT .git.' >/dev/null 2>&1
n=$("$BELAY" log | grep -c '^session')
"$BELAY" diff --stat "$n:1" >"$base/stat3"
check "the step that deleted them lists all four" sh -c "grep -q '4 files changed' '$base/stat3'"
"$BELAY" rollback "$n:1" >"$base/rb3" 2>&1
check "the files come back" sh -c "test \"\$(cat .Git git~1 .GIT/f .git.)\" = '1
2
3
4'"
check "the repository's .git is untouched" sh -c "git status --short >/dev/null && test -f .git/HEAD"

# --- a file changed through a hard link from outside the workspace
echo v1 >linked.txt
ln linked.txt "$base/outside-name"
"$BELAY" --headless -- sh -c 'echo touch >> main.c' >/dev/null 2>&1
(sleep 0.5; echo v2 >"$base/outside-name") &
"$BELAY" --headless -- sh -c 'sleep 1.5; echo more >> main.c' >/dev/null 2>&1
wait
n=$("$BELAY" log | grep -c '^session')
"$BELAY" diff "$n:1" >"$base/diff4"
check "a change through another name is in a checkpoint of the session" grep -q '^+v2' "$base/diff4"

# --- smaller breaks: usage errors exit 2, the policy's keep list, --move-branch
"$BELAY" rollback abc >/dev/null 2>&1
check_eq "belay rollback abc is a usage error" 2 "$?"
"$BELAY" diff 999:1 >/dev/null 2>&1
check_eq "belay diff of a session that is not there is a usage error" 2 "$?"
"$BELAY" log >"$base/log5"
check "belay log says how much the history takes" grep -q '^history: .* MB in ' "$base/log5"

mkdir -p "$base/ws2/build" && cd "$base/ws2" || exit 1
git init -q && printf 'build/\n' >.gitignore && echo o >build/x.o && echo a >a && git add -A &&
	git -c user.name=t -c user.email=t@t commit -qm init
printf 'default exec allow\ndefault write allow\ndefault delete allow\ncheckpoint keep build/**\n' >"$base/keep.rules"
"$BELAY" --headless --policy "$base/keep.rules" -- sh -c 'echo p > build/x.o; echo b > a; git -c user.name=a -c user.email=a@a commit -qam agent' >/dev/null 2>&1
"$BELAY" rollback 1:1 >"$base/rb5" 2>&1
check_eq "a rollback with the policy's keep list succeeds" 0 "$?"
check "the file the keep list checkpoints is restored" test "$(cat build/x.o)" = o
"$BELAY" log >/dev/null 2>&1
check_eq "belay log still works after it" 0 "$?"
hint=$(sed -n 's/^ *to move it back too: //p' "$base/rb5")
check "the rollback says how to move the branch back" test -n "$hint"
"$BELAY" ${hint#belay } >"$base/mv" 2>&1
check "the hint moves the branch back" sh -c "grep -q 'moved' '$base/mv' && test \"\$(git log --format=%s -1)\" = init"

# --- an ignored database cut short through its descriptor (ftruncate), a memfd left alone
mkdir -p "$base/ws3" && cd "$base/ws3" || exit 1
printf '*.db\n' >.gitignore && seq 1 3000 >app.db && cp app.db "$base/app.db.orig"
"$BELAY" --headless --events "$base/ev3.jsonl" -- /usr/bin/python3 -c '
import os
f = open("app.db", "r+"); f.truncate(100); f.close()
m = os.memfd_create("scratch"); os.ftruncate(m, 65536); os.ftruncate(m, 0)
' >"$base/out3" 2>&1
check_eq "ftruncate: the session ends well" 0 "$?"
check "ftruncate: the database was cut" test "$(wc -c <app.db)" -eq 100
check "ftruncate: the cut is an event naming the file" \
	python3 "$ROOT/tests/scenario/events.py" "$base/ev3.jsonl" has "type=file op=truncate path~app.db"
check "ftruncate: a memfd is not reported" \
	python3 "$ROOT/tests/scenario/events.py" "$base/ev3.jsonl" none "type=file path~memfd"
check "ftruncate: nothing is held" python3 "$ROOT/tests/scenario/events.py" "$base/ev3.jsonl" none "type=held"
"$BELAY" rollback 1:1 >"$base/rb6" 2>&1
check "ftruncate: rollback restores the ignored database byte for byte" cmp -s app.db "$base/app.db.orig"

finish
