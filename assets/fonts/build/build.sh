#!/bin/bash
# Rebuilds assets/fonts/WaymarkFallback-{Regular,Bold}.ttf: Arabic script,
# Ethiopic, the Indic scripts (Devanagari, Gurmukhi, Bengali, Malayalam,
# Tamil) and Simplified Chinese (GB2312 level 1 plus every Han character in
# Waymark's own strings), merged into one font per weight, because Fyne's
# theme takes one font per style. Latin and Cyrillic stay with Fyne's
# built-in Noto Sans; ASCII punctuation and digits are copied into the
# fallback so a right-to-left run never changes font (see
# app/bidilabel.go). Its vertical metrics are tall enough for the dots
# below Arabic letters and the Indic vowel signs: Fyne draws a text into a
# box of the first font's ascent plus descent and cuts off what is outside
# (internal/fonts/fonts_test.go checks every string against them).
#
# Also rebuilds WaymarkNastaliq-{Regular,Bold}.ttf: Noto Nastaliq Urdu,
# with the ASCII punctuation of Noto Sans, for Urdu, which is written in
# Nastaliq, not Naskh; and WaymarkArabic-{Regular,Bold}.ttf: Noto Sans
# Arabic with the same punctuation and metrics tall enough for every dot
# and vowel mark, for the other Arabic-script languages. internal/fonts/fonts.go
# chooses them for each run of Arabic letters BidiLabel draws.
#
#   assets/fonts/build/build.sh            # from the repository root
#   CJK_LEVEL2=1 assets/fonts/build/build.sh   # + GB2312 level 2, ~+1 MB a weight
#
# Needs Debian fonts-noto-core and python3-fonttools (fonttools 4.38), npm (Noto Sans SC
# comes as static TTFs from @expo-google-fonts/noto-sans-sc; Debian ships
# it only as a .ttc, which Fyne cannot load), and go (for Fyne's Noto
# Sans in the module cache). The output differs byte for byte from run to
# run (fontTools stamps head.modified) but not in glyphs or cmap; the
# glyph-coverage test in app/ checks the result.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$HERE")                       # assets/fonts
ROOT=$(cd "$OUT/../.." && pwd)
PY=/usr/bin/python3                          # Debian python, which has fontTools
NOTO=/usr/share/fonts/truetype/noto
FYNE_FONTS=${FYNE_FONTS:-$(cd "$ROOT" && go list -m -f '{{.Dir}}' fyne.io/fyne/v2)/theme/font}
WORK=${WORK:-/tmp/waymark-fonts-build}
SEP=$WORK/separate
mkdir -p "$WORK" "$SEP"

if [ ! -f "$WORK/sc/package/400Regular/NotoSansSC_400Regular.ttf" ]; then
  (cd "$WORK" && npm pack @expo-google-fonts/noto-sans-sc@0.4.3 --silent >/dev/null)
  mkdir -p "$WORK/sc"
  tar xzf "$WORK/expo-google-fonts-noto-sans-sc-0.4.3.tgz" -C "$WORK/sc" \
    package/400Regular/NotoSansSC_400Regular.ttf package/700Bold/NotoSansSC_700Bold.ttf \
    package/LICENSE_FONT
fi
SC_R=$WORK/sc/package/400Regular/NotoSansSC_400Regular.ttf
SC_B=$WORK/sc/package/700Bold/NotoSansSC_700Bold.ttf

# GB2312 level 1 (rows 0xB0-0xD7, 3755 Hanzi) [and level 2, to 0xF7], then
# every Han character of Waymark's strings.
LAST=0xD7; [ "${CJK_LEVEL2:-0}" = 1 ] && LAST=0xF7
$PY -c "
import sys
for hi in range(0xB0, $LAST + 1):
    for lo in range(0xA1, 0xFF):
        try: sys.stdout.write(bytes([hi, lo]).decode('gb2312'))
        except UnicodeDecodeError: pass
print()" > "$WORK/gb2312.txt"
$PY "$HERE/cjk_text.py" "$WORK/gb2312.txt" "$ROOT"/assets/content/screening/lang/*.json "$ROOT"/i18n/locales/*.json \
    ${EXTRA_TEXT:-} > "$WORK/cjk.txt"

FEAT="--layout-features=ccmp,locl,init,medi,fina,isol,med2,fin2,fin3,rlig,liga,calt,clig,curs,kern,mark,mkmk,rclt,rvrn"
COMMON="$FEAT --no-hinting --name-IDs=* --notdef-outline --drop-tables+=DSIG,vhea,vmtx,STAT"
AR_U="U+0020,U+0030-0039,U+00A0,U+0600-06FF,U+FB50-FDFF,U+FE70-FEFF,U+200C-200F,U+25CC"
ET_U="U+0020,U+00A0,U+1200-139F,U+2D80-2DDF,U+AB00-AB2F,U+25CC"
# The Indic scripts, each with the dandas, ZWNJ/ZWJ and the dotted circle.
IND_COMMON="U+0020,U+00A0,U+0964-0965,U+200C-200D,U+25CC"
DEVA_U="$IND_COMMON,U+0900-097F,U+A8E0-A8FF,U+1CD0-1CFF"
GURU_U="$IND_COMMON,U+0A00-0A7F"
BENG_U="$IND_COMMON,U+0980-09FF"
MLYM_U="$IND_COMMON,U+0D00-0D7F"
TAML_U="$IND_COMMON,U+0B80-0BFF"
# Urdu in Nastaliq: the Arabic blocks Urdu uses, with its own digits.
NAST_U="U+0020,U+0030-0039,U+00A0,U+0600-06FF,U+0750-077F,U+FB50-FDFF,U+FE70-FEFF,U+200C-200F,U+25CC"
PUNCT_U="U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+00AB,U+00B7,U+00BB,U+2010-2015,U+2018-201F,U+2026,U+2039,U+203A"
# Indic shaping needs every feature the fonts have (akhn, blwf, half,
# pres, abvs, blws, psts...): keep them all.
INDFEAT="--layout-features=* --no-hinting --name-IDs=* --notdef-outline --drop-tables+=DSIG,vhea,vmtx,STAT"
SUB="$PY -m fontTools.subset"
for w in Regular Bold; do
  $SUB "$FYNE_FONTS/NotoSans-$w.ttf" --unicodes="$PUNCT_U" $COMMON --output-file="$SEP/NotoSans-$w.punct.ttf"
  $SUB "$NOTO/NotoSansArabic-$w.ttf" --unicodes="$AR_U" $INDFEAT --output-file="$SEP/NotoSansArabic-$w.ttf"
  $SUB "$NOTO/NotoSansEthiopic-$w.ttf" --unicodes="$ET_U" $INDFEAT --output-file="$SEP/NotoSansEthiopic-$w.ttf"
  $SUB "$NOTO/NotoSansDevanagari-$w.ttf" --unicodes="$DEVA_U" $INDFEAT --output-file="$SEP/NotoSansDevanagari-$w.ttf"
  $SUB "$NOTO/NotoSansGurmukhi-$w.ttf" --unicodes="$GURU_U" $INDFEAT --output-file="$SEP/NotoSansGurmukhi-$w.ttf"
  $SUB "$NOTO/NotoSansBengali-$w.ttf" --unicodes="$BENG_U" $INDFEAT --output-file="$SEP/NotoSansBengali-$w.ttf"
  $SUB "$NOTO/NotoSansMalayalam-$w.ttf" --unicodes="$MLYM_U" $INDFEAT --output-file="$SEP/NotoSansMalayalam-$w.ttf"
  $SUB "$NOTO/NotoSansTamil-$w.ttf" --unicodes="$TAML_U" $INDFEAT --output-file="$SEP/NotoSansTamil-$w.ttf"
  $SUB "$NOTO/NotoNastaliqUrdu-$w.ttf" --unicodes="$NAST_U" --layout-features='*' --no-hinting --name-IDs='*' --notdef-outline \
      --drop-tables+=DSIG,STAT --output-file="$SEP/NotoNastaliqUrdu-$w.ttf"
done
$SUB "$SC_R" --text-file="$WORK/cjk.txt" --unicodes="U+0020,U+3000-303F,U+FF00-FFEF" $COMMON --output-file="$SEP/NotoSansSC-Regular.ttf"
$SUB "$SC_B" --text-file="$WORK/cjk.txt" --unicodes="U+0020,U+3000-303F,U+FF00-FFEF" $COMMON --output-file="$SEP/NotoSansSC-Bold.ttf"

# Vertical metrics (font units): the fallback keeps Noto Sans's ascent, so
# Latin labels keep their place, and gets the depth Arabic dots below and
# Indic vowel signs need; Nastaliq gets its own tall ones.
FALLBACK_METRICS=${FALLBACK_METRICS:-1069,-460}
# Measured by internal/fonts/fonts_test.go's TestInkInsideTheLine over every string
# Waymark ships, with some room to spare.
NASTALIQ_METRICS_Regular=1980,-620
NASTALIQ_METRICS_Bold=2200,-700
ARABIC_METRICS=1320,-640
for w in Regular Bold; do
  $PY -m fontTools.merge "$SEP/NotoSans-$w.punct.ttf" "$SEP/NotoSansArabic-$w.ttf" \
      "$SEP/NotoSansEthiopic-$w.ttf" "$SEP/NotoSansDevanagari-$w.ttf" "$SEP/NotoSansGurmukhi-$w.ttf" \
      "$SEP/NotoSansBengali-$w.ttf" "$SEP/NotoSansMalayalam-$w.ttf" "$SEP/NotoSansTamil-$w.ttf" "$SEP/NotoSansSC-$w.ttf" \
      --output-file="$WORK/merged-$w.ttf" 2>&1 | grep -v "format 14" || true
  src_sc=$SC_R; [ $w = Bold ] && src_sc=$SC_B
  $PY "$HERE/finalize.py" "$WORK/merged-$w.ttf" "$OUT/WaymarkFallback-$w.ttf" "Waymark Fallback" "$w" \
      "$FALLBACK_METRICS" "$FYNE_FONTS/NotoSans-$w.ttf" \
      "$NOTO/NotoSansArabic-$w.ttf" "$NOTO/NotoSansEthiopic-$w.ttf" "$NOTO/NotoSansDevanagari-$w.ttf" \
      "$NOTO/NotoSansGurmukhi-$w.ttf" "$NOTO/NotoSansBengali-$w.ttf" "$NOTO/NotoSansMalayalam-$w.ttf" \
      "$NOTO/NotoSansTamil-$w.ttf" "$src_sc"
  # Nastaliq first, so its digits and Arabic punctuation win; Noto Sans
  # adds the ASCII punctuation a right-to-left run may hold.
  $SUB "$SEP/NotoSans-$w.punct.ttf" --unicodes="U+0021-002F,U+003A-0040,U+005B-0060,U+007B-007E,U+00AB,U+00BB,U+2010-2015,U+2018-201F,U+2026" \
      $COMMON --output-file="$SEP/NotoSans-$w.punct-only.ttf"
  $PY -m fontTools.merge "$SEP/NotoNastaliqUrdu-$w.ttf" "$SEP/NotoSans-$w.punct-only.ttf" \
      --output-file="$WORK/nastaliq-$w.ttf" 2>&1 | grep -v "format 14" || true
  metrics=NASTALIQ_METRICS_$w
  $PY "$HERE/finalize.py" "$WORK/nastaliq-$w.ttf" "$OUT/WaymarkNastaliq-$w.ttf" "Waymark Nastaliq" "$w" \
      "${!metrics}" "$NOTO/NotoNastaliqUrdu-$w.ttf" "$FYNE_FONTS/NotoSans-$w.ttf"
  # The same for the Naskh of every other Arabic-script language, with
  # room for its dots and vowel marks, which the fallback's metrics
  # (kept close to Noto Sans's for the officer's Latin text) would cut.
  $PY -m fontTools.merge "$SEP/NotoSansArabic-$w.ttf" "$SEP/NotoSans-$w.punct-only.ttf" \
      --output-file="$WORK/arabic-$w.ttf" 2>&1 | grep -v "format 14" || true
  $PY "$HERE/finalize.py" "$WORK/arabic-$w.ttf" "$OUT/WaymarkArabic-$w.ttf" "Waymark Arabic" "$w" \
      "$ARABIC_METRICS" "$NOTO/NotoSansArabic-$w.ttf" "$FYNE_FONTS/NotoSans-$w.ttf"
done

cp "$WORK/sc/package/LICENSE_FONT" "$OUT/LICENSE-NotoSansSC-OFL.txt"
cp /usr/share/doc/fonts-noto-core/copyright "$OUT/LICENSE-fonts-noto-core-debian-copyright.txt"
cp "$FYNE_FONTS/LICENSE.txt" "$OUT/LICENSE-NotoSans-fyne-OFL.txt"
{
  echo "Waymark Fallback (WaymarkFallback-Regular.ttf, WaymarkFallback-Bold.ttf) is a subset"
  echo "and merge of the following fonts, all under the SIL Open Font License 1.1:"
  echo
  for f in "$FYNE_FONTS/NotoSans-Regular.ttf" "$NOTO/NotoSansArabic-Regular.ttf" "$NOTO/NotoSansEthiopic-Regular.ttf" \
      "$NOTO/NotoSansDevanagari-Regular.ttf" "$NOTO/NotoSansGurmukhi-Regular.ttf" "$NOTO/NotoSansBengali-Regular.ttf" \
      "$NOTO/NotoSansMalayalam-Regular.ttf" "$NOTO/NotoSansTamil-Regular.ttf" "$SC_R"; do
    $PY -c 'import sys; from fontTools.ttLib import TTFont; n=TTFont(sys.argv[1],lazy=True)["name"]; print("- %s: %s" % (n.getDebugName(1), n.getDebugName(0) or "Copyright The Noto Project Authors"))' "$f"
  done
  echo
  echo "Noto Sans SC is derived from Source Han Sans (Reserved Font Name 'Source');"
  echo "the merged font does not use that name."
  echo
  echo "Waymark Arabic (WaymarkArabic-Regular.ttf, WaymarkArabic-Bold.ttf) is a subset of Noto Sans"
  echo "Arabic merged with the ASCII punctuation of Noto Sans, under the same licence (see above)."
  echo
  echo "Waymark Nastaliq (WaymarkNastaliq-Regular.ttf, WaymarkNastaliq-Bold.ttf) is a subset of"
  echo "Noto Nastaliq Urdu merged with the ASCII punctuation of Noto Sans, under the same licence:"
  $PY -c 'import sys; from fontTools.ttLib import TTFont; n=TTFont(sys.argv[1],lazy=True)["name"]; print("- %s: %s" % (n.getDebugName(1), n.getDebugName(0)))' "$NOTO/NotoNastaliqUrdu-Regular.ttf"
  echo
  sed -n '/^SIL OPEN FONT LICENSE/,$p' "$WORK/sc/package/LICENSE_FONT"
} > "$OUT/LICENSE-WaymarkFallback-OFL.txt"
ls -l "$OUT"/*.ttf
