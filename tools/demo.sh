#!/bin/sh
# make run: belay on the bundled demo agent, in a throwaway workspace.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
ws=$(mktemp -d /tmp/belay-demo.XXXXXX)
trap 'rm -rf "$ws"' EXIT
cd "$ws"
printf '# demo workspace\n\nA throwaway folder for the demo agent.\n' >README.md
if command -v git >/dev/null 2>&1; then
	git init -q . && git add README.md &&
		git -c user.name=demo -c user.email=demo@localhost commit -qm "start" || true
fi
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "make run needs a terminal; to run the demo without one:"
	echo "  $root/build/belay --headless -C $ws $root/build/agents/demo"
	exit 1
fi
echo "belay: the demo agent runs in $ws (removed afterwards)."
echo "       Type a request and press Enter; C-] ? lists belay's keys; /exit quits."
sleep 1
status=0
"$root/build/belay" -C "$ws" "$root/build/agents/demo" || status=$?
echo "belay exited with status $status"
exit $status
