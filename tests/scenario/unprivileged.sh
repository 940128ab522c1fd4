# unprivileged - belay run by an ordinary user: interception works without
# root, a process that makes itself unreadable is asked about (never let
# through unseen), and an unreadable rules file is an error.
. "$(dirname "$0")/lib.sh"

USER_NAME=belay-test
if [ "$(id -u)" != 0 ]; then
	echo "ok 1 # SKIP not root: cannot create the test user"
	echo "1..1"
	exit 0
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
WS=$(mktemp -d /tmp/belay-unpriv.XXXXXX)
# the checkout may be in a directory the user cannot enter (a CI clone in a
# private temporary directory): the programs are copied where it can
BIN=$(mktemp -d /tmp/belay-unpriv-bin.XXXXXX)
cp "$BELAY" "$AGENTS/nodump" "$BIN/"
chmod 755 "$BIN" "$BIN/belay" "$BIN/nodump"
UHOME=$(mktemp -d /tmp/belay-unpriv-home.XXXXXX)
chown "$USER_NAME" "$WS" "$UHOME"
trap 'cleanup; rm -rf "$WS" "$BIN" "$UHOME"' EXIT
as_user() { runuser -u "$USER_NAME" -- env -i HOME="$UHOME" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
BELAY=$BIN/belay

as_user "$BELAY" --headless -C "$WS" --events "$WS/ev.jsonl" sh -c 'echo x > file; echo ok' \
	</dev/null >"$WS/out" 2>&1
check "as an ordinary user, belay intercepts (the write is seen)" \
	python3 "$ROOT/tests/scenario/events.py" "$WS/ev.jsonl" has "type=file op=create path=$WS/file"

as_user "$BELAY" --headless -C "$WS" --events "$WS/nodump.jsonl" "$BIN/nodump" "$WS/secret" \
	</dev/null >"$WS/nodump.out" 2>&1
check "a process belay cannot read: its call is held by the fixed rule" \
	python3 "$ROOT/tests/scenario/events.py" "$WS/nodump.jsonl" has 'type=held rule=(arguments unreadable)'
check "(the event says why)" \
	python3 "$ROOT/tests/scenario/events.py" "$WS/nodump.jsonl" has 'type=file unreadable~not dumpable'
check "(headless denies it: nothing written)" sh -c "test ! -e '$WS/secret' && grep -q 'Permission denied' '$WS/nodump.out'"

printf 'allow exec\n' >"$BIN/private.rules"
chmod 600 "$BIN/private.rules"
as_user "$BELAY" policy check "$BIN/private.rules" >/dev/null 2>"$WS/err"; rc=$?
check_eq "a rules file the user cannot read: exit 2" 2 "$rc"
check "(and says why)" grep -q 'private.rules: cannot load: Permission denied' "$WS/err"

finish
