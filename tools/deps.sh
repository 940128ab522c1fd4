#!/bin/sh
# Install the Debian packages belay needs to build, test and benchmark, when
# run as root; otherwise print the command to run and stop.
set -e
need="gcc make pkg-config libncurses-dev libtsm-dev libgit2-dev libseccomp-dev libjansson-dev
libcmocka-dev libssl-dev zlib1g-dev ncurses-term clang libclang-rt-14-dev tmux vim less procps python3 python3-pil fonts-dejavu-core
git curl hyperfine fonts-wqy-microhei fonts-unifont asciinema"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
	echo "deps: done"
else
	echo "belay needs these packages: sudo apt-get install$missing" >&2
	exit 1
fi
