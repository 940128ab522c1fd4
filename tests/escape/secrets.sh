# secrets - the agent's user's credentials stay out of its reach: the cloud,
# cluster, SSH and registry stores in the home folder are hidden (empty
# stand-ins, read-only), their names visible, each read an event; withheld
# variables are not in its environment nor its tools'; belay's own
# environment is not readable.  The agent tries every way it has: cat, a
# hard link, a copy, umount (also in a user namespace of its own), a
# rename out, a write.  As root and as an ordinary user.  A store the
# policy lets through ("allow read path ~/.npmrc") is read as it is.  A
# .env above the workspace is hidden too; the project's own is not.
. "$(dirname "$0")/../scenario/lib.sh"

EV="python3 $ROOT/tests/scenario/events.py"
USER_NAME=belay-test
SECRET=s3cr3t-$$

cat >"$T/agent.sh" <<'AGENT'
try() { name=$1; shift; "$@" 2>/dev/null; echo "tried $name"; }
try cat-aws cat $HOME/.aws/credentials
try cat-ssh sh -c 'cat $HOME/.ssh/id_*'
try cat-netrc cat $HOME/.netrc
try cat-kube cat $HOME/.kube/config
try grep-all grep -r s3cr3t $HOME
try hardlink sh -c "ln $HOME/.aws/credentials hl && cat hl"
try copy sh -c "cp -r $HOME/.ssh copied && cat copied/*"
try umount umount $HOME/.aws
try umount-userns unshare -Urm sh -c "umount $HOME/.aws; cat $HOME/.aws/credentials"
try rename-out sh -c "mv $HOME/.aws $HOME/aws-out; cat $HOME/aws-out/credentials"
try overwrite sh -c "echo x > $HOME/.netrc"
try env sh -c 'env; cat /proc/self/environ'
try parent-environ sh -c 'cat /proc/$PPID/environ; cat /proc/$BELAY/environ'
# through a process of the same user outside the agent's tree, which sees the real stores
try proc-root sh -c 'o=$(cat outside.pid); cat /proc/$o/root$HOME/.aws/credentials /proc/$o/cwd/../.netrc'
try npmrc-let-through cat $HOME/.npmrc
try dotenv-above cat ../../.env.local
try dotenv-own cat .env
echo attempts done
AGENT

# run LABEL DIR [USER]
run() {
	label=$1 sd=$2 user=${3:-}
	home=$sd/home ws=$sd/home/ws
	mkdir -p "$home/.aws" "$home/.ssh" "$home/.kube" "$ws"
	echo "aws_secret_access_key = $SECRET-aws" >"$home/.aws/credentials"
	echo "$SECRET-ssh" >"$home/.ssh/id_ed25519"
	echo "machine example.com password $SECRET-netrc" >"$home/.netrc"
	echo "token: $SECRET-kube" >"$home/.kube/config"
	echo "//registry.npmjs.org/:_authToken=npm-let-through" >"$home/.npmrc"
	echo "DB_PASSWORD=$SECRET-dotenv" >"$sd/.env.local"
	echo "OWN=the-project-s-own-env" >"$ws/.env"
	printf 'allow read path ~/.npmrc\n' >"$sd/let.rules"
	cat "$ROOT/policies/default.rules" >>"$sd/let.rules"
	# what a belay killed before it could clean up left (its pid is long gone)
	mkdir -p "$home/.local/state/belay/hidden-999999/0" && chmod 555 "$home/.local/state/belay/hidden-999999/0"
	[ -n "$user" ] && chown -R "$user" "$sd"
	# a process of the same user, outside belay, in the home folder
	rm -f "$ws/outside.pid"
	if [ -n "$user" ]; then
		(cd "$home" && runuser -u "$user" -- sh -c "echo \$\$ >'$ws/outside.pid'; exec sleep 300") >/dev/null 2>&1 &
	else
		(cd "$home" && sh -c "echo \$\$ >'$ws/outside.pid'; exec sleep 300") &
	fi
	i=0; while [ ! -s "$ws/outside.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	outside=$(cat "$ws/outside.pid")
	check "$label: (the process outside sees the real store)" grep -q "$SECRET-aws" "/proc/$outside/root$home/.aws/credentials"
	cmd="env -i HOME=$home PATH=/usr/bin:/bin LANG=C.UTF-8 AWS_SECRET_ACCESS_KEY=$SECRET-env GITHUB_TOKEN=$SECRET-gh"
	[ -n "$user" ] && cmd="$(command -v runuser) -u $user -- $cmd"
	(cd "$ws" && $cmd "$BELAY" --headless --events "$sd/ev.jsonl" --policy "$sd/let.rules" -- sh "$AGENT" \
		</dev/null >"$sd/out" 2>&1)
	kill "$outside" 2>/dev/null
	attempts=$((attempts + 15))
	check "$label: the agent made its attempts" grep -q 'attempts done' "$sd/out"
	check "$label: no secret was printed (files, environment, belay's environment)" sh -c "! grep -q '$SECRET' '$sd/out'"
	check "$label: the stores' names are there, empty" grep -q 'tried cat-aws' "$sd/out"
	check "$label: nothing was copied out with a secret in it" sh -c "! grep -rqs '$SECRET' '$ws'"
	check "$label: the stores are whole and in their place" sh -c \
		"grep -q '$SECRET-aws' '$home/.aws/credentials' && grep -q '$SECRET-netrc' '$home/.netrc' && test ! -e '$home/aws-out'"
	check "$label: each read is an event the person sees" has_all "$sd/ev.jsonl" \
		"type=hidden path=$home/.aws/credentials" "type=hidden path=$home/.ssh/id_ed25519" \
		"type=hidden path=$home/.netrc" "type=hidden path=$home/.kube/config"
	check "$label: the withheld variables are named in the first event" \
		$EV "$sd/ev.jsonl" has "type=session-start withheld=AWS_SECRET_ACCESS_KEY GITHUB_TOKEN"
	check "$label: a store the policy lets through is read as it is" grep -q 'npm-let-through' "$sd/out"
	check "$label: the .env of a folder above the workspace is hidden, the project's own is not" sh -c \
		"grep -q 'tried dotenv-above' '$sd/out' && grep -q the-project-s-own-env '$sd/out'"
	check "$label: the stand-ins are gone after the session, a dead belay's too" sh -c "! ls '$home/.local/state/belay' 2>/dev/null | grep -q hidden-"
}
has_all() { f=$1; shift; for c in "$@"; do $EV "$f" has "$c" || return 1; done; }

AGENT=$T/agent.sh
attempts=0
WS=$(mktemp -d "$SCRATCH/escape-secrets.XXXXXX")
trap 'cleanup; rm -rf "$WS"' EXIT
run root "$WS"

if [ "$(id -u)" = 0 ]; then
	id "$USER_NAME" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh "$USER_NAME"
	BIN=$(mktemp -d /tmp/belay-secrets-bin.XXXXXX)
	U=$(mktemp -d /var/tmp/belay-secrets-user.XXXXXX)
	cp "$BELAY" "$AGENT" "$BIN/"
	chmod 755 "$BIN" "$BIN/belay" "$BIN/agent.sh" "$U"
	trap 'cleanup; rm -rf "$WS" "$BIN" "$U"' EXIT
	BELAY=$BIN/belay AGENT=$BIN/agent.sh run user "$U/d" "$USER_NAME"
fi
echo "# $attempts attempts to reach a secret, each stopped"
finish
