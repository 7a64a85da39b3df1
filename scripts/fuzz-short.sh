#!/usr/bin/env bash
# Short fuzz runs for CI (make fuzz-short). Each step is one function; add yours below and list it in STEPS.
# Long runs: see the README's Development section.
set -euo pipefail
cd "$(dirname "$0")/.."

# DM3/DM4 reader: 50,000 mutated DigitalMicrograph files (the full target runs >= 1,000,000).
fuzz_dm() {
    EELS_FUZZ_ITERATIONS="${EELS_FUZZ_ITERATIONS:-50000}" swift test -c release --filter IOFuzzTests
}

# The language: 20,000 random and mutated programs through lexer, parser and evaluator.
fuzz_language() {
    SCRIPT_FUZZ_ITERATIONS="${SCRIPT_FUZZ_ITERATIONS:-20000}" swift test -c release --filter ScriptTests.FuzzTests
}

STEPS=(fuzz_dm fuzz_language)
for step in "${STEPS[@]}"; do
    echo "== $step"
    "$step"
done
