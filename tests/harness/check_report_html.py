#!/usr/bin/env python3
"""check_report_html.py -- parse DIR/report.html with html.parser and check
its structure: the who-wins table is a real <table> holding a header row and
one row per (workload, parameters) group of DIR/summary.csv, every <tr> sits
inside a <table>, every element opened is closed, and every PNG of DIR/plots
that the report includes is an <img> whose data URI decodes to a PNG.
usage: check_report_html.py DIR"""
import base64
import csv
import html.parser
import os
import sys

VOID = {"meta", "img", "br", "hr", "link", "input"}


class Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []
        self.tables = []  # per table: list of rows, each a list of cell texts
        self.images = []  # (alt, src)
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append((a.get("alt", ""), a.get("src", "")))
        if tag in VOID:
            return
        if tag == "tr" and "table" not in self.stack:
            self.errors.append("<tr> outside a <table> at line %d" % self.getpos()[0])
        if tag == "table":
            self.tables.append([])
        if tag == "tr" and self.tables:
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self.cell = ""
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s> at line %d"
                               % (tag, self.stack[-1] if self.stack else "nothing", self.getpos()[0]))
            return
        self.stack.pop()
        if tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def groups(d):
    with open(os.path.join(d, "summary.csv"), newline="") as f:
        return {(r["workload"], r["params"] or "-") for r in csv.DictReader(f)}


def main():
    d = sys.argv[1]
    p = Parser()
    with open(os.path.join(d, "report.html"), encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    fails = list(p.errors)
    if p.stack:
        fails.append("unclosed elements at the end: %s" % p.stack)
    if not p.tables:
        fails.append("no <table>")
    else:
        rows = p.tables[0]
        want = groups(d)
        got = {(r[0], r[1]) for r in rows[1:] if len(r) >= 2}
        if not rows or rows[0][:3] != ["workload", "parameters", "winner"]:
            fails.append("first table's header is %r" % (rows[0] if rows else None))
        if len(rows) - 1 != len(want) or got != want:
            fails.append("who-wins rows %r, summary.csv groups %r" % (sorted(got), sorted(want)))
        if any(len(r) != len(rows[0]) for r in rows):
            fails.append("rows of unequal length in the who-wins table")
    pngs = sorted(f for f in os.listdir(os.path.join(d, "plots")) if f.endswith(".png"))
    if not p.images:
        fails.append("no <img>")
    for alt, src in p.images:
        pre = "data:image/png;base64,"
        if not src.startswith(pre) or not base64.b64decode(src[len(pre):]).startswith(b"\x89PNG"):
            fails.append("image %r is not an inlined PNG" % alt)
    inlined = {base64.b64decode(s[len("data:image/png;base64,"):]) for _, s in p.images}
    for name in pngs:
        with open(os.path.join(d, "plots", name), "rb") as f:
            if f.read() not in inlined:
                fails.append("plots/%s is not in the report" % name)
    for m in fails:
        print("FAIL:", m)
    if fails:
        return 1
    print("ok: report.html: %d rows, %d images" % (len(p.tables[0]) - 1, len(p.images)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
