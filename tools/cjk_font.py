"""Noto Sans CJK SC, cut to the characters a document uses, with TrueType outlines (for
tools/print_book.py).

Chromium's PDF writer (Skia) embeds a font with TrueType outlines as a named CID font, but one
with PostScript (CFF) outlines, as Debian's fonts-noto-cjk are, only as a Type 3 font: a set of
drawings without the font's name or hinting, which some PDF readers draw poorly. The print of
an edition therefore gets the Chinese font as a subset (a few thousand glyphs: a second or two)
whose cubic outlines are turned into quadratic ones (fontTools' cu2qu, within one font unit).
"""
import io
import subprocess

WEIGHTS = {400: "Regular", 700: "Bold"}


def font_file(style):
    """(path, index in the collection) of Noto Sans CJK SC in ``style``, as fontconfig finds it."""
    out = subprocess.run(["fc-match", "--format", "%{file}|%{index}|%{family}", f"Noto Sans CJK SC:style={style}"],
                         capture_output=True, text=True, check=True).stdout
    path, index, family = out.split("|", 2)
    if "Noto Sans CJK SC" not in family:
        raise RuntimeError(f"fontconfig has no Noto Sans CJK SC {style} (found {family!r}); install fonts-noto-cjk")
    return path, int(index)


def truetype_subset(chars, weight=400):
    """Noto Sans CJK SC at ``weight`` (400 or 700) as TrueType (bytes), holding the glyphs of
    ``chars`` that it has."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    path, index = font_file(WEIGHTS[weight])
    options = subset.Options()
    options.font_number = index
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)

    order, glyph_set = font.getGlyphOrder(), font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for glyph in glyphs.values():
        glyph.recalcBounds(glyf)
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
