# tour - what `make run` shows a new user (tools/demo.sh with the demo
# agent): the agent's steps, a git push held with the keys that answer it,
# a folder deleted without asking, then, after C-] q, where the workspace and
# its history are, and the rollback bringing the folder back; exit status 0.
. "$(dirname "$0")/lib.sh"

W=120 H=40
PW=$(pane_cols $W) PH=$((H - 1))

# wait_said TEXT: until the agent's pane shows TEXT, lines joined (the agent
# wraps its sentences at the pane's width)
wait_said() {
	i=0
	while [ $i -lt 200 ]; do
		belay_pane $PW $PH t | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# the tour makes its workspace under /tmp and keeps it: found from its words
trap 'cleanup; [ -n "${ws:-}" ] && rm -rf "$ws" "$ws.remote.git"' EXIT
tm new-session -d -s t -x $W -y $H \
	"$ENVV TERM=tmux-256color sh -c 'sh $ROOT/tools/demo.sh; echo tour exited \$?; exec sleep 600'"
check "the tour starts the demo agent in belay" wait_for t 'Press Enter for each step of the tour'
ws=$(screen t | sed -n 's/.*cwd: \(\/tmp\/belay-demo\.[A-Za-z0-9]*\).*/\1/p' | head -1)
check "in a new workspace" sh -c "[ -n '$ws' ] && test -d '$ws/.git'"

# step_to TEXT: Enter, then until TEXT shows.  The agent writes what it
# says and its next prompt in one piece, so once TEXT shows it waits again.
step_to() {
	send t Enter
	wait_said "$1"
}
check "it reads the workspace" step_to 'Press Enter and I will write some code'
check "writes two files without asking" step_to 'two files, written without asking you'
check "edits them" step_to 'Added German'
check "commits, and says the push will be held" step_to 'belay holds it until you decide'
check "the push is held on the status line" wait_for t 'held #1: git push -q origin HEAD'
check "(the status line names the keys)" wait_for t 'C-] a allow · C-] s allow similar · C-] d deny'
sleep 0.6
send t C-] a
check "C-] a lets the push through" wait_said 'You allowed it: the push went through'
check "(the remote has the commit)" sh -c "git --git-dir='$ws.remote.git' log --oneline | grep -q 'Greet in four languages'"
check "it deletes docs/ without asking (it can be rolled back)" step_to 'I deleted docs/ without asking you'
check "(docs/ is gone)" test ! -e "$ws/docs"
send t C-] q
wait_for t 'stop the agent and quit belay? (y/n)'
send t y
check "after quitting, belay says where the history is" wait_for t 'checkpointed in ~/.local/state/belay/shadow/'
check "(and where the session is recorded)" wait_for t 'recorded in ~/.local/state/belay/sessions/'
check "the tour shows the steps belay recorded" wait_for t 'rm -rf docs'
check "and offers to roll the deletion back" wait_for t 'Roll the workspace back to before it? [Y/n]'
send t Enter
check "the rollback brings docs/ back" wait_for t 'docs/ is back'
check "(really)" test -e "$ws/docs/notes.md"
check "the tour ends with the commands to try" wait_for t 'belay rollback -C'
check "a normal quit exits 0" wait_for t 'tour exited 0'
finish
