#!/usr/bin/python3
"""Print the CJK characters (Han, CJK punctuation, fullwidth forms) found in the
given UTF-8 files, deduplicated and sorted. Everything else (Latin, digits,
quotes...) is dropped on purpose so the merged fallback font never overrides
Fyne's built-in NotoSans for Latin/Cyrillic text."""
import sys

def is_cjk(cp):
    return (0x2E80 <= cp <= 0x2FDF or 0x3000 <= cp <= 0x303F or 0x3100 <= cp <= 0x312F or
            0x31C0 <= cp <= 0x31EF or 0x3200 <= cp <= 0x33FF or 0x3400 <= cp <= 0x4DBF or
            0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0xFE30 <= cp <= 0xFE4F or
            0xFF00 <= cp <= 0xFFEF or 0x20000 <= cp <= 0x3FFFF)

chars = set()
for p in sys.argv[1:]:
    with open(p, encoding="utf-8") as fh:
        chars.update(c for c in fh.read() if is_cjk(ord(c)))
sys.stdout.write("".join(sorted(chars)) + "\n")
print(f"cjk_text: {len(chars)} characters", file=sys.stderr)
