# runas - belay run as root can run the agent as another user (--user):
# the agent is that user (its ids, groups, home), keeps no capability,
# writes its workspace and its TMPDIR as that user, cannot read root's
# files, and what belay carries out for it outside the boundary (allowed)
# is that user's.  Bad uses are refused with a reason.
. "$(dirname "$0")/../scenario/lib.sh"

USER_NAME=belay-test
if [ "$(id -u)" != 0 ]; then
	ok "# SKIP --user needs root"
	finish
fi
id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
D=$(mktemp -d /var/lib/belay-runas.XXXXXX)
chmod 755 "$D"
trap 'cleanup; rm -rf "$D"' EXIT
mkdir -p "$D/ws" "$D/out" "$D/root-only"
echo "root-secret" >"$D/root-only/file" && chmod 700 "$D/root-only"
chown "$USER_NAME" "$D/ws"
cat >"$D/agent.sh" <<AGENT
id -u; id -G
echo "home=\$HOME user=\$USER"
grep -E '^Cap(Eff|Prm)' /proc/self/status
echo mine > mine.txt
touch "\$TMPDIR/t" && echo tmpdir-ok
echo hi > /dev/tty && echo tty-ok
cat $D/root-only/file 2>/dev/null || echo root-file-refused
echo carried > $D/out/allowed.txt
echo done
AGENT
(cd "$D/ws" && env -i HOME=/root PATH=/usr/bin:/bin "$BELAY" --user "$USER_NAME" --headless --on-ask allow \
	--events "$D/ev.jsonl" -- sh "$D/agent.sh" </dev/null >"$D/out.txt" 2>&1)
uid=$(id -u "$USER_NAME")
check "the agent ran" grep -q '^done' "$D/out.txt"
check "it is the user, with the user's groups" sh -c "head -1 '$D/out.txt' | grep -qx '$uid.\\?' && sed -n 2p '$D/out.txt' | grep -q '$(id -g "$USER_NAME")'"
check "its HOME and USER are the user's" grep -q "home=$(getent passwd "$USER_NAME" | cut -d: -f6) user=$USER_NAME" "$D/out.txt"
check "no capability, effective or permitted" sh -c "grep -q 'CapEff:.0000000000000000' '$D/out.txt' && grep -q 'CapPrm:.0000000000000000' '$D/out.txt'"
check "its files in the workspace are the user's" sh -c "[ \$(stat -c %U '$D/ws/mine.txt') = $USER_NAME ]"
check "its TMPDIR and its terminal are its own" sh -c "grep -q tmpdir-ok '$D/out.txt' && grep -q tty-ok '$D/out.txt'"
check "root's files are not its" sh -c "grep -q root-file-refused '$D/out.txt' && ! grep -q root-secret '$D/out.txt'"
check "what belay carried out for it outside the boundary is the user's" sh -c \
	"[ \"\$(cat '$D/out/allowed.txt')\" = carried ] && [ \$(stat -c %U '$D/out/allowed.txt') = $USER_NAME ]"
"$BELAY" --user no-such-user-here --headless -- true </dev/null >"$D/bad.txt" 2>&1
check "an unknown user is refused with the reason" grep -q "no-such-user-here': no such user" "$D/bad.txt"
cp "$BELAY" "$D/belay" && chmod 755 "$D/belay"
runuser -u "$USER_NAME" -- "$D/belay" --user root --headless -- true </dev/null >"$D/bad2.txt" 2>&1
check "only belay run as root can use it" grep -q "only a belay run as root" "$D/bad2.txt"
finish
