"""gen.py - write N MB of agent-like terminal output to a file.

Coloured text (16, 256 and 24-bit SGR), cursor movement, erase, wide
characters, and a spinner redrawn in place, as agents print.
"""
import sys

size = int(sys.argv[2]) * 1000 * 1000
out = open(sys.argv[1], "w", encoding="utf-8")
n = i = 0
spin = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
while n < size:
    line = (
        f"\x1b[3{i % 8}m{i:07d}\x1b[0m \x1b[38;5;{i % 256}mindex\x1b[0m "
        f"\x1b[1;38;2;{i % 256};{i * 7 % 256};{i * 13 % 256}mrgb\x1b[0m "
        f"\x1b[4mthe quick brown fox\x1b[24m 日本語 ✅ jumps over the lazy dog\x1b[K\r\n"
    )
    if i % 16 == 0:
        line += f"\x1b[2m{spin[i % 10]} thinking…\x1b[0m\r\x1b[K"
    out.write(line)
    n += len(line.encode())
    i += 1
