#!/usr/bin/env python3
"""check_screenshot.py -- a PNG screenshot is not blank: enough pixels that
are not the background (white) and enough distinct colours that text, a
table and plots were drawn.  usage: check_screenshot.py PNG"""
import sys

from PIL import Image

img = Image.open(sys.argv[1]).convert("RGB")
w, h = img.size
px = list(img.getdata())
ink = sum(1 for p in px if p != (255, 255, 255))
colours = len(set(px))
print("screenshot %dx%d: %.1f%% non-white pixels, %d distinct colours" % (w, h, 100.0 * ink / len(px), colours))
# A blank or error page has a handful of colours and almost no ink; a page
# with text, table borders and antialiased plots has hundreds of each.
if ink < len(px) // 100 or colours < 64:
    print("FAIL: the screenshot looks blank")
    sys.exit(1)
