#!/usr/bin/env python3
"""ab_summary.py -- the summary every ab_*.sh script prints: per shape the
medians of builds A and B and the min/median/max of the per-round ratio
B / A (< 1: B is faster or cheaper).

The ratio is taken inside each round, where both builds ran on the same
machine within seconds of each other, so drift that hits both cancels;
rounds that lack one side are left out of that shape's ratios.

  usage: ab_summary.py RAW [NOTE]
  RAW: lines "ROUND WHO SHAPE UNIT VALUE" (WHO is A or B), in the order
       the shapes are to be listed
  NOTE: a last line (what the values are)
"""
import collections
import statistics
import sys


def read(path):
    values = collections.defaultdict(dict)  # (shape, unit, round) -> {who: value}
    order = []
    for line in open(path):
        fields = line.split()
        if len(fields) != 5:
            continue
        r, who, shape, unit, x = fields
        if (shape, unit) not in order:
            order.append((shape, unit))
        values[(shape, unit, r)][who] = float(x)
    return values, order


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: ab_summary.py RAW [NOTE]")
    values, order = read(argv[1])
    print("# %-15s %-7s %10s %10s %7s %7s %7s" % ("shape", "unit", "A median", "B median", "B/A min", "median",
                                                  "max"))
    for shape, unit in order:
        pairs = [d for (s, u, _), d in values.items() if (s, u) == (shape, unit) and "A" in d and "B" in d]
        ratios = [d["B"] / d["A"] for d in pairs if d["A"] > 0]
        if not ratios:
            continue
        print("  %-15s %-7s %10.3f %10.3f %7.3f %7.3f %7.3f" % (
            shape, unit, statistics.median(d["A"] for d in pairs), statistics.median(d["B"] for d in pairs),
            min(ratios), statistics.median(ratios), max(ratios)))
    # The rounds run, not one shape's pairs: a shape only one build prints
    # (a row added since) has none.
    rounds = len({k[2] for k in values})
    print("# %d round%s, A and B alternated; ratio = B / A in the same round" % (rounds, "" if rounds == 1 else "s"))
    if len(argv) > 2:
        print("# " + argv[2])


if __name__ == "__main__":
    main(sys.argv)
