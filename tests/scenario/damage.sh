# damage - a damaged checkpoint store is an error that names the file and
# what to do, never a hang: truncated and missing loose objects, a truncated
# pack, a missing pack index, a bad ref, a stale lock, a damaged restore
# journal.  belay log and rollback exit 1; a session starts a fresh store
# beside the damaged one and says so.  (timeout 10 turns a hang into a
# failure; the run's time is printed, not asserted.)
. "$(dirname "$0")/lib.sh"

base=$(mktemp -d "$SCRATCH/damage-test.XXXXXX")
ws=$base/ws
export XDG_STATE_HOME=$base/state
mkdir -p "$ws"
cd "$ws" || exit 1
echo a >a.txt
# enough files for a pack (the baseline), then steps that write loose objects
i=0
while [ $i -lt 200 ]; do echo "$i" >"f$i.txt"; i=$((i + 1)); done
"$BELAY" --headless -- sh -c 'echo b > b.txt; echo c >> a.txt' >/dev/null 2>&1
store=$(echo "$XDG_STATE_HOME"/belay/shadow/*.git)
cp -a "$store" "$base/pristine"
check "the store has a pack" sh -c "ls '$store'/objects/pack/*.pack >/dev/null 2>&1"
check "the store has loose objects" sh -c "find '$store/objects' -path '*/objects/??/*' -type f | grep -q ."

fresh() { rm -rf "$store" "$store".damaged-*; cp -a "$base/pristine" "$store"; }
# expect_error NAME: belay log and rollback end with exit 1 and name the damage
expect_error() {
	t0=$(date +%s%N)
	timeout 10 "$BELAY" log >"$base/out" 2>"$base/err"
	rc=$?
	t1=$(date +%s%N)
	echo "# $1: belay log exit $rc in $(((t1 - t0) / 1000000)) ms"
	check_eq "$1: belay log exits 1 (no hang)" 1 "$rc"
	check "$1: the message names the store as damaged and says what to do" \
		sh -c "grep -q 'damaged' '$base/err' && grep -q 'mv ' '$base/err'"
	timeout 10 "$BELAY" rollback 1:1 >/dev/null 2>"$base/err"
	check_eq "$1: belay rollback exits 1" 1 "$?"
	check "$1: nothing in the workspace was changed" sh -c "grep -q c a.txt && test -e b.txt"
}

fresh
for f in $(find "$store/objects" -path '*/objects/??/*' -type f); do truncate -s 10 "$f"; done
expect_error "truncated loose objects"
check "the message names the object" grep -q "objects/../" "$base/err"

fresh
f=$(find "$store/objects" -path '*/objects/??/*' -type f | head -1)
: >"$f"
expect_error "an empty loose object"

fresh
p=$(ls "$store"/objects/pack/*.pack | head -1)
truncate -s $(($(stat -c %s "$p") / 2)) "$p"
expect_error "a truncated pack"

fresh
rm -f "$store"/objects/pack/*.idx
expect_error "a missing pack index"

fresh
echo "not an id" >"$store/refs/belay/sessions/1"
expect_error "a bad ref"

fresh
for f in $(find "$store/objects" -path '*/objects/??/*' -type f); do rm -f "$f"; done
timeout 10 "$BELAY" log >"$base/out" 2>"$base/err"
rc=$?
check "missing objects: belay log ends (exit $rc) without a hang" test "$rc" -ne 124
timeout 10 "$BELAY" rollback 1:1 >/dev/null 2>"$base/err"
rc=$?
check_eq "missing objects: rollback exits 1" 1 "$rc"
check "missing objects: rollback says what it could not read" grep -qi "cannot\|not found\|damaged" "$base/err"

fresh
echo '{"to":"zz","label":"x"}' >"$store/restore.journal"
timeout 10 "$BELAY" log >/dev/null 2>"$base/err"
check_eq "a damaged restore journal: belay log exits 1" 1 "$?"
check "a damaged restore journal: the message names it" grep -q "restore.journal" "$base/err"

fresh
: >"$store/index.lock"
: >"$store/refs/belay/sessions/1.lock"
timeout 10 "$BELAY" log >/dev/null 2>"$base/err"
check_eq "stale lock files: belay log still reads" 0 "$?"
timeout 10 "$BELAY" --headless -- sh -c 'echo d > d.txt' >/dev/null 2>"$base/err"
check "stale lock files: a session still runs" test -e d.txt

# --- a session on a damaged store starts a fresh one beside it and says so
fresh
for f in $(find "$store/objects" -path '*/objects/??/*' -type f); do truncate -s 10 "$f"; done
timeout 20 "$BELAY" --headless -- sh -c 'echo e > e.txt' >"$base/out" 2>"$base/err"
check_eq "a session on a damaged store runs" 0 "$?"
check "it says the store was damaged and where it went" grep -q "moved it to '.*damaged-" "$base/err"
check "the damaged store is kept beside the fresh one" sh -c "ls -d '$store'.damaged-* >/dev/null"
timeout 10 "$BELAY" log >"$base/out" 2>"$base/err"
check_eq "belay log reads the fresh store" 0 "$?"
check "the fresh store has the new session" grep -q "^session 1 .*echo e" "$base/out"

# --- a checkpoint that fails (the state disk is full) is never silent
if unshare -Urm true 2>/dev/null; then
	mkdir -p "$base/full/ws" "$base/full/st"
	cat >"$base/full.sh" <<EOF
set -e
mount -t tmpfs -o size=1m tmpfs "$base/full/st"
export XDG_STATE_HOME="$base/full/st"
cd "$base/full/ws"
echo a >a.txt
"$BELAY" --headless --events "$base/full/ev" -- sh -c 'echo small >s1; head -c 3000000 /dev/urandom >big; sleep 0.2; rm big; echo last >s3' >/dev/null 2>&1 || true
"$BELAY" log >"$base/full/log" 2>&1 || true
step=\$("$BELAY" log | sed -n 's/^  \([0-9]*:[0-9]*\) .*  rm big\$/\1/p')
"$BELAY" rollback "\$step" >"$base/full/rb" 2>&1 || true
EOF
	unshare -Urm sh "$base/full.sh" 2>"$base/full/err"
	check "full disk: the failed checkpoint's event names the file and the store" \
		grep -q '"error":"cannot checkpoint .big.: .*No space left on device (the checkpoint store is ' "$base/full/ev"
	check "full disk: belay log says the step's checkpoint failed, and why" \
		grep -q "checkpoint failed: cannot checkpoint 'big'.*No space left" "$base/full/log"
	check "full disk: a rollback across it says what it cannot restore" \
		grep -q "failed: .*its changes cannot be restored" "$base/full/rb"
	check "full disk: once there is room again the next steps are checkpointed" \
		grep -q "1 file .*edit .*/s3" "$base/full/log"
else
	ok "# skip: no user namespaces for a small tmpfs"
	ok "# skip"; ok "# skip"; ok "# skip"
fi

finish
