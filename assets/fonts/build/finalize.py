#!/usr/bin/python3
"""Post-process a pyftmerge output: give it its own family name, carry over the
copyright/licence notices of every source font, and set its vertical metrics
to ASCENT,DESCENT (font units; DESCENT negative). Fyne draws a text into a box
as tall as the first font's ascent plus descent and cuts off any ink outside
it, so the metrics must cover the ink of every string drawn in the font
(app/fonts_test.go checks them).

usage: finalize.py MERGED OUT FAMILY STYLE ASCENT,DESCENT SRC1 [SRC2 ...]
"""
import sys
from fontTools.ttLib import TTFont

merged, out, family, style, metrics = sys.argv[1:6]
srcs = sys.argv[6:]
f = TTFont(merged)

copyrights = []
for s in srcs:
    c = TTFont(s, lazy=True)["name"].getDebugName(0)
    if c and c not in copyrights:
        copyrights.append(c)

name = f["name"]
ps = (family.replace(" ", "") + "-" + style)
vals = {
    0: " / ".join(copyrights),
    1: family,
    2: style,
    3: f"{ps};subset-merge",
    4: f"{family} {style}" if style != "Regular" else family,
    6: ps,
    13: "This Font Software is licensed under the SIL Open Font License, Version 1.1. "
        "Modified (subset + merged) from " + ", ".join(TTFont(s, lazy=True)["name"].getDebugName(1) for s in srcs) + ".",
    14: "https://openfontlicense.org",
}
# drop every record we replace (all platforms/languages), then write Windows+Mac English
name.names = [n for n in name.names if n.nameID not in vals and n.nameID not in (16, 17, 7, 8, 9, 11, 12)]
for nid, v in vals.items():
    name.setName(v, nid, 3, 1, 0x409)
    name.setName(v, nid, 1, 0, 0)

if style == "Bold":
    f["head"].macStyle |= 1
    f["OS/2"].fsSelection = (f["OS/2"].fsSelection & ~0x40) | 0x20  # BOLD, not REGULAR
    f["OS/2"].usWeightClass = 700
else:
    f["head"].macStyle &= ~1
    f["OS/2"].fsSelection = (f["OS/2"].fsSelection & ~0x20) | 0x40
    f["OS/2"].usWeightClass = 400

ascent, descent = (int(v) for v in metrics.split(","))
f["hhea"].ascent, f["hhea"].descent, f["hhea"].lineGap = ascent, descent, 0
o = f["OS/2"]
o.sTypoAscender, o.sTypoDescender, o.sTypoLineGap = ascent, descent, 0
o.usWinAscent, o.usWinDescent = ascent, -descent

f.save(out)
print(f"wrote {out}")
