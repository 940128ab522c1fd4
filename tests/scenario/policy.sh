# policy - every rule of the shipped policies is triggered by a real action
# and decides it: a real program run (stand-ins named as the rule wants), a
# real file written or deleted, a real socket connected; by the agent
# process itself where the rule says "by agent", else by a tool it runs.
. "$(dirname "$0")/lib.sh"

for name in default strict ci; do
	# a home and a workspace outside /tmp, which the policies treat apart
	base=$(mktemp -d "$SCRATCH/policy-test.XXXXXX")
	mkdir -p "$base/ws" "$base/home" "$base/bin"
	python3 "$ROOT/tests/scenario/rules.py" plan "$ROOT/policies/$name.rules" "$base/ws" "$base/home" \
		"$base/bin" >"$base/plan.json"
	(cd "$base/ws" && env -i HOME="$base/home" PATH="$base/bin:/usr/bin:/bin" LANG=C.UTF-8 \
		timeout 300 "$BELAY" --headless --policy "$name" --events "$base/ev.jsonl" \
		/usr/bin/python3 "$ROOT/tests/scenario/rules.py" act "$base/plan.json" </dev/null >"$base/out" 2>&1)
	if python3 "$ROOT/tests/scenario/rules.py" check "$base/plan.json" "$base/ev.jsonl" "$name" >"$base/check"; then
		ok "policies/$name.rules: each of its $(grep -c '^ok' "$base/check") rules decides a real action"
	else
		not_ok "policies/$name.rules: some rules decide nothing" "$(grep -v '^ok' "$base/check" | head -20)"
	fi
	grep '^ok' "$base/check" | sed 's/^ok - /#   /'
	rm -rf "$base"
done


# belay policy check and test
check "belay policy check: the shipped policies are clean" "$BELAY" policy check default strict ci
printf 'allow wrte path x\nask exec progam y\n' >"$T/bad.rules"
"$BELAY" policy check "$T/bad.rules" >/dev/null 2>"$T/err"; rc=$?
check_eq "belay policy check: errors exit 2" 2 "$rc"
check "belay policy check: errors say file:line" grep -q "bad.rules:2: unknown matcher 'progam'" "$T/err"
"$BELAY" policy check "$T" >/dev/null 2>&1; rc=$?
check_eq "belay policy check: a directory is an error (2)" 2 "$rc"
python3 -c "print('allow write path ' + 'a' * 100000)" >"$T/big.rules"
"$BELAY" policy check "$T/big.rules" >/dev/null 2>"$T/err"; rc=$?
check_eq "belay policy check: a 100 KB glob is an error (2)" 2 "$rc"
chmod 000 "$T/bad.rules"
check "belay policy test: says the verdict and the rule" \
	sh -c "'$BELAY' policy test -- git push origin main | grep -q '^ask	policies/default.rules:[0-9]*	ask exec program git arg push'"
check "belay policy test: a write outside the workspace asks" \
	sh -c "cd / && '$BELAY' policy test -C /usr write /etc/passwd | grep -q '^ask	policies/default.rules:'"

finish
