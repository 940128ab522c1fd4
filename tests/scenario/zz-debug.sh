. "$(dirname "$0")/lib.sh"
W=120 H=32
PW=$(pane_cols $W) PH=$((H - 1))
python3 - >"$T/text.txt" <<'PY'
for i in range(1, 301):
    print(f"line {i:3d}: the quick brown fox jumps over the lazy dog " + "x" * (i % 37) + (" 日本語" if i % 10 == 0 else ""))
PY
start_belay b $W $H --events /tmp/vim-ev.jsonl -- vim -u NONE -i NONE -N -n "$T/text.txt"
start_ref r $PW $PH vim -u NONE -i NONE -N -n "$T/text.txt"
wait_for b 'line   1' && wait_for r 'line   1'
compare_screens "vim: opens a file" $PW $PH
send_both ':set number' Enter
send_both 'G'
compare_screens "vim: numbers and end of file" $PW $PH
screen b | head -3
