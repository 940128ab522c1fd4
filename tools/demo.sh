#!/bin/sh
# make run: a tour of belay with the bundled demo agent, in a new workspace.
# The agent writes, edits, commits, asks to push (belay holds it: you
# decide) and deletes a folder; when you quit, the tour rolls the deletion
# back with `belay rollback`.  The workspace and its history are kept.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
belay=$root/build/belay
ws=$(mktemp -d /tmp/belay-demo.XXXXXX)
remote=$ws.remote.git
cd "$ws"
printf '# demo workspace\n\nA folder for the demo agent.\n' >README.md
git init -q --bare "$remote"
git init -q .
git config user.name demo
git config user.email demo@localhost
git remote add origin "$remote"
git add README.md && git commit -qm "start"

if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make run needs a terminal; to run the demo without one:"
	echo "  $belay --headless -C $ws $root/build/agents/demo"
	exit 1
fi
cat <<EOF
belay: a tour with a demo agent, in $ws
       Press Enter in the agent's pane for each step.  belay's keys start
       with C-] (Ctrl and ]): C-] ? lists them, C-] q quits.
EOF
sleep 2
status=0
"$belay" -C "$ws" "$root/build/agents/demo" || status=$?

echo
echo "What the agent did, as belay recorded it (belay log -C $ws):"
"$belay" log -C "$ws" | sed 's/^/  /'
step=$("$belay" log -C "$ws" | awk '/rm -rf docs/ { s = $1 } END { print s }')
if [ -n "$step" ] && [ ! -e "$ws/docs" ]; then
	printf '\nThe agent deleted docs/ in step %s.  Roll the workspace back to before it? [Y/n] ' "$step"
	read -r answer || answer=n
	case $answer in
	n* | N*) ;;
	*)
		echo "  \$ belay rollback -C $ws $step"
		"$belay" rollback -C "$ws" "$step" | sed 's/^/  /'
		echo "  \$ ls $ws/docs"
		ls "$ws/docs" | sed 's/^/  /'
		echo "docs/ is back.  The rollback is a step too: belay log shows it, and it can be undone."
		;;
	esac
fi
cat <<EOF

The workspace is kept in $ws (its remote: $remote).
Try, with build/belay:
  belay log      -C $ws           every session and step
  belay diff     -C $ws STEP      what a step changed
  belay rollback -C $ws STEP      everything as before STEP
  belay revert   -C $ws STEP      undo only STEP
  belay -C $ws $root/build/agents/demo     the tour again, in the same workspace
To remove the demo: rm -rf $ws $remote
EOF
exit $status
