#!/usr/bin/env bash
# RapidEELS Script vs CPython on the same two programs, in one run (issue 3's bench):
#   loop: 10^6 iterations of integer arithmetic; mapfilter: map/filter/reduce over 10^5 elements;
#   arrays: 10^5 appends to a typed array, then 10^5 element reads and writes.
# Prints `name: ours X s, peer Y s, ratio Z` (ratio > 1: we are faster) and a final `ratio:` line (the loop).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product rapideels-kernel >/dev/null
KERNEL=.build/release/rapideels-kernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/loop.swift" <<'S'
var total = 0
var i = 0
while i < 1000000 { total += i % 7 * 3; i += 1 }
print(total)
S
cat > "$work/loop.py" <<'P'
total = 0
i = 0
while i < 1000000:
    total += i % 7 * 3
    i += 1
print(total)
P
cat > "$work/mapfilter.swift" <<'S'
let xs = Array(0..<100000)
print(xs.map { $0 * 3 }.filter { $0 % 2 == 0 }.reduce(0, +))
S
cat > "$work/mapfilter.py" <<'P'
from functools import reduce
xs = list(range(100000))
print(reduce(lambda a, b: a + b, filter(lambda x: x % 2 == 0, map(lambda x: x * 3, xs)), 0))
P
cat > "$work/arrays.swift" <<'S'
var xs: [Int] = []
for i in 0..<100000 { xs.append(i) }
for i in 0..<100000 { xs[i] = xs[i] * 2 + 1 }
print(xs.reduce(0, +))
S
cat > "$work/arrays.py" <<'P'
xs = []
for i in range(100000):
    xs.append(i)
for i in range(100000):
    xs[i] = xs[i] * 2 + 1
print(sum(xs))
P
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
headline=""
for name in loop mapfilter arrays; do
    [ "$($KERNEL run "$work/$name.swift")" = "$(python3 "$work/$name.py")" ] || { echo "$name: outputs differ"; exit 1; }
    ours=$(for _ in 1 2 3 4 5; do time_it $KERNEL run "$work/$name.swift"; done | median)
    peer=$(for _ in 1 2 3 4 5; do time_it python3 "$work/$name.py"; done | median)
    ratio=$(echo "$peer / $ours" | bc -l)
    printf '%s: ours %.3f s, peer %.3f s, ratio %.2f\n' "$name" "$ours" "$peer" "$ratio"
    [ -z "$headline" ] && headline=$ratio
done
printf 'ratio: %.2f\n' "$headline"
