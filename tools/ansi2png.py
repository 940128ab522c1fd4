"""ansi2png.py - render a tmux capture (capture-pane -p -e) to a PNG.

    python3 ansi2png.py CAPTURE OUT.png COLS ROWS [CURSOR_X CURSOR_Y]

Understands what tmux writes in a capture: SGR (16, 256 and 24-bit colours,
bold, dim, italic, underline, reverse) and DEC line drawing shifted out with
SO/SI.  Glyphs come from DejaVu Sans Mono, then WenQuanYi Micro Hei (CJK),
then Unifont (anything else), so that every cell shows something.
"""
import ctypes
import re
import sys

from PIL import Image, ImageDraw, ImageFont

libc = ctypes.CDLL("libc.so.6")
libc.setlocale(6, b"C.UTF-8")
libc.wcwidth.argtypes = [ctypes.c_wchar]

SIZE = 15
FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/unifont/unifont.otf",
    "/usr/share/fonts/opentype/unifont/unifont_upper.otf",
]
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
ITALIC = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Oblique.ttf"
ACS = dict(zip("`afgjklmnopqrstuvwxyz{|}~", "◆▒°±┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·"))
BG, FG = (0x1c, 0x1c, 0x1c), (0xd0, 0xd0, 0xd0)
ANSI = [(0x1c, 0x1c, 0x1c), (0xcd, 0x3f, 0x3f), (0x5f, 0xaf, 0x5f), (0xcd, 0xaf, 0x3f),
        (0x4f, 0x7f, 0xcf), (0xaf, 0x5f, 0xaf), (0x3f, 0xaf, 0xaf), (0xd0, 0xd0, 0xd0),
        (0x6c, 0x6c, 0x6c), (0xff, 0x6f, 0x6f), (0x8f, 0xdf, 0x8f), (0xff, 0xdf, 0x6f),
        (0x7f, 0xaf, 0xff), (0xdf, 0x8f, 0xdf), (0x6f, 0xdf, 0xdf), (0xff, 0xff, 0xff)]


def index_rgb(i):
    if i < 16:
        return ANSI[i]
    if i < 232:
        i -= 16
        cube = [0, 95, 135, 175, 215, 255]
        return (cube[i // 36], cube[i // 6 % 6], cube[i % 6])
    v = 8 + (i - 232) * 10
    return (v, v, v)


_notdef = {}


def has_glyph(font, c):
    """True if font draws c as something other than its missing-glyph box."""
    key = id(font)
    if key not in _notdef:
        m = font.getmask("\U0010fffd")
        _notdef[key] = (m.size, bytes(m))
    mask = font.getmask(c)
    return mask.getbbox() is not None and (mask.size, bytes(mask)) != _notdef[key]


def wcwidth(ch):
    w = libc.wcwidth(ch)
    return 1 if w < 0 else w


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.under = self.rev = False

    def sgr(self, params):
        ps = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", params)] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.reset()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 3:
                self.italic = True
            elif p == 4:
                self.under = True
            elif p == 7:
                self.rev = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 23:
                self.italic = False
            elif p == 24:
                self.under = False
            elif p == 27:
                self.rev = False
            elif 30 <= p <= 37:
                self.fg = index_rgb(p - 30)
            elif 90 <= p <= 97:
                self.fg = index_rgb(p - 90 + 8)
            elif 40 <= p <= 47:
                self.bg = index_rgb(p - 40)
            elif 100 <= p <= 107:
                self.bg = index_rgb(p - 100 + 8)
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    c = index_rgb(ps[i + 2])
                    i += 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    c = tuple(ps[i + 2:i + 5])
                    i += 4
                else:
                    c = None
                if p == 38:
                    self.fg = c
                else:
                    self.bg = c
            i += 1

    def colours(self):
        fg, bg = self.fg or FG, self.bg or BG
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


def main():
    capture, png, cols, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    cursor = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) > 6 else None
    fonts = [ImageFont.truetype(f, SIZE) for f in FONTS]
    bold, italic = ImageFont.truetype(BOLD, SIZE), ImageFont.truetype(ITALIC, SIZE)
    cw = int(fonts[0].getlength("M") + 0.5)
    ch = int(SIZE * 1.3)
    pad = 12
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    pen = Pen()
    acs = False
    data = open(capture, encoding="utf-8", errors="replace").read()
    for y, line in enumerate(data.split("\n")[:rows]):
        x, i = 0, 0
        while i < len(line) and x < cols:
            m = re.match(r"\x1b\[([0-9;:]*)m", line[i:])
            if m:
                pen.sgr(m.group(1))
                i += m.end()
                continue
            c = line[i]
            i += 1
            if c == "\x0e":
                acs = True
                continue
            if c == "\x0f":
                acs = False
                continue
            if acs:
                c = ACS.get(c, c)
            w = wcwidth(c)
            if w == 0:
                continue
            fg, bg = pen.colours()
            px, py = pad + x * cw, pad + y * ch
            draw.rectangle([px, py, px + w * cw - 1, py + ch - 1], fill=bg)
            if c != " ":
                font = bold if pen.bold else italic if pen.italic else fonts[0]
                if not has_glyph(font, c):
                    font = next((f for f in fonts[1:] if has_glyph(f, c)), fonts[-1])
                draw.text((px, py + (ch - SIZE) // 2 - 1), c, font=font, fill=fg)
            if pen.under:
                draw.line([px, py + ch - 3, px + w * cw - 1, py + ch - 3], fill=fg)
            x += w
        # the rest of the line keeps the terminal background
    if cursor:
        px, py = pad + cursor[0] * cw, pad + cursor[1] * ch
        draw.rectangle([px, py, px + cw - 1, py + ch - 1], outline=FG)
    img.save(png)


main()
