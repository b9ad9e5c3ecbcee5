#!/usr/bin/python3
"""Post-process a pyftmerge output: give it its own family name, carry over the
copyright/licence notices of every source font, and (optionally) set the
vertical metrics to those of a reference font (Fyne's NotoSans) so that Fyne's
line height does not change when this font is the theme's first face.

usage: finalize.py MERGED OUT FAMILY STYLE METRICS_REF|- SRC1 [SRC2 ...]
"""
import sys
from fontTools.ttLib import TTFont

merged, out, family, style, ref = sys.argv[1:6]
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
        "Modified (subset + merged) from Noto Sans (punctuation), Noto Sans Arabic, Noto Sans Ethiopic and Noto Sans SC.",
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

if ref != "-":
    r = TTFont(ref, lazy=True)
    for attr in ("ascent", "descent", "lineGap"):
        setattr(f["hhea"], attr, getattr(r["hhea"], attr))
    for attr in ("sTypoAscender", "sTypoDescender", "sTypoLineGap", "usWinAscent", "usWinDescent"):
        setattr(f["OS/2"], attr, getattr(r["OS/2"], attr))

f.save(out)
print(f"wrote {out}")
