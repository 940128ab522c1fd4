#!/bin/sh
# make screenshots: scripted belay sessions in a detached tmux, captured and
# rendered to screenshots/*.png by tools/ansi2png.py.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/screenshots
T=$(mktemp -d /tmp/belay-shots.XXXXXX)
SOCK=belay-shots-$$
W=120 H=34
trap 'tmux -L $SOCK kill-server 2>/dev/null; rm -rf "$T"' EXIT
printf 'set -s exit-empty off\nset -g status off\nset -g default-terminal tmux-256color\n' >"$T/tmux.conf"
tm() { tmux -L "$SOCK" -f "$T/tmux.conf" "$@"; }
mkdir -p "$out" "$T/ws" "$T/home"
ENVV="env -i HOME=$T/home PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=tmux-256color PS1=\$\ "

wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tm capture-pane -p -t =s: | grep -qF -- "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "screenshots: '$1' never appeared; the screen:" >&2
	tm capture-pane -p -t =s: >&2
	return 1
}
shot() {
	sleep 0.6
	tm capture-pane -p -e -t =s: >"$T/cap"
	set -- "$1" $(tm display -p -t =s: '#{cursor_x} #{cursor_y} #{cursor_flag}')
	if [ "$4" = 1 ]; then
		/usr/bin/python3 "$root/tools/ansi2png.py" "$T/cap" "$out/$1.png" $W $H "$2" "$3"
	else
		/usr/bin/python3 "$root/tools/ansi2png.py" "$T/cap" "$out/$1.png" $W $H
	fi
	echo "screenshots/$1.png"
}
start() { tm new-session -d -s s -x $W -y $H "$ENVV $*"; }
stop() { tm kill-session -t =s; }

# the demo agent at work
start "$root/build/belay" -C "$T/ws" "$root/build/agents/demo"
wait_for 'demo agent'
tm send-keys -t =s: Enter
wait_for 'write some'
tm send-keys -t =s: Enter
wait_for 'two files'
tm send-keys -t =s: Enter
wait_for 'Added German'
shot demo
# the help window over it
tm send-keys -t =s: C-] '?'
wait_for 'belay keys'
shot help
tm send-keys -t =s: Escape
stop

# a held call: the agent wants to push
git init -q --bare "$T/remote.git"
git -C "$T/ws" init -q 2>/dev/null
git -C "$T/ws" remote add origin "$T/remote.git" 2>/dev/null
start "$root/build/belay" -C "$T/ws" bash --norc --noprofile -i
wait_for '$'
tm send-keys -t =s: 'git status --short' Enter
tm send-keys -t =s: 'python3 hello.py' Enter
tm send-keys -t =s: 'git add -A && git -c user.name=demo -c user.email=d@x commit -qm "greetings" && git log --oneline' Enter
wait_for 'greetings'
tm send-keys -t =s: 'git push origin HEAD' Enter
wait_for 'held #'
shot held
sleep 0.6
tm send-keys -t =s: C-] d
stop

# a full-screen program in the pane
python3 -c "
for i in range(1, 80): print(f'def step_{i}(state):\n    return state + {i}  # 日本語 ✅\n')
" >"$T/ws/steps.py"
start "$root/build/belay" -C "$T/ws" vim -u NONE -i NONE -N -n -c "'syntax on'" -c "'set number'" steps.py
wait_for 'step_1'
tm send-keys -t =s: '/step_7(' Enter
shot vim
stop

# the scrollback
start "$root/build/belay" -C "$T/ws" sh
wait_for '$'
tm send-keys -t =s: 'for i in $(seq 1 60); do printf "\033[3%dmline %d\033[0m\n" $((i % 7 + 1)) $i; done' Enter
wait_for 'line 60'
tm send-keys -t =s: C-] '['
tm send-keys -t =s: k k k k k k k k k k k k
shot scrollback
stop

# the review panels on a wide terminal: the steps, a selected step's diff
W=160 H=44
git init -q --bare "$T/remote2.git"
mkdir -p "$T/ws2"
(cd "$T/ws2" && printf '# demo\n' >README.md && git init -q . && git config user.name demo &&
	git config user.email demo@localhost && git remote add origin "$T/remote2.git" && git add README.md &&
	git commit -qm start)
start "$root/build/belay" -C "$T/ws2" "$root/build/agents/demo"
wait_for 'demo agent'
for w in 'write some' 'two files' 'Added German'; do
	tm send-keys -t =s: Enter
	wait_for "$w"
done
tm send-keys -t =s: C-] Tab
tm send-keys -t =s: k
shot review
# a held push: named beside the pane, the bell rang
tm send-keys -t =s: C-] Tab
tm send-keys -t =s: Enter
wait_for 'HELD #1'
shot held-panel
sleep 0.6
tm send-keys -t =s: C-] a
wait_for 'You allowed it'
tm send-keys -t =s: Enter
wait_for 'I deleted docs'
# roll back from the screen: what it would change, then the question
tm send-keys -t =s: C-] Tab
tm send-keys -t =s: G k R
wait_for 'roll back to before step'
shot rollback
tm send-keys -t =s: y
wait_for 'rolled back to before'
# under 80 columns the panels are a view of their own
tm resize-window -t =s: -x 76 -y 30
W=76 H=30
sleep 0.5
shot narrow
stop
# that session, recorded: replayed at the end of step 4, its diff beside the pane
W=160 H=44
sleep 0.5
start "$root/build/belay" replay -C "$T/ws2" --paused --step 4 last
wait_for 'REPLAY'
wait_for 'step 4: 1 file'
shot replay
stop

# pair review: a reviewer's screen attached to a live session whose push is held
git init -q --bare "$T/remote3.git"
mkdir -p "$T/ws3"
(cd "$T/ws3" && printf '# demo\n' >README.md && git init -q . && git config user.name demo &&
	git config user.email demo@localhost && git remote add origin "$T/remote3.git" && git add README.md &&
	git commit -qm start)
tm new-session -d -s o -x $W -y $H "$ENVV $root/build/belay --no-record -C $T/ws3 $root/build/agents/demo"
owait() {
	i=0
	while [ $i -lt 100 ]; do
		tm capture-pane -p -t =o: | tr -s ' ' | grep -qF -- "$1" && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "screenshots: '$1' never appeared in the owner's screen" >&2
	return 1
}
owait 'demo agent'
for text in 'for each step' 'write some' 'two files' 'Added German'; do
	owait "$text"
	sleep 0.3
	tm send-keys -t =o: Enter
done
owait 'HELD #1'
start "$root/build/belay" attach "$(tm display -p -t =o: '#{pane_pid}')"
wait_for 'C-] a allow'
shot pair
stop
tm kill-session -t =o
W=120 H=34

# without colour (NO_COLOR)
tm new-session -d -s s -x $W -y $H "$ENVV NO_COLOR=1 $root/build/belay -C $T/ws $root/build/agents/demo"
wait_for 'demo agent'
tm send-keys -t =s: Enter
wait_for 'write some'
shot mono
stop
exit 0
