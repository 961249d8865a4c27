#!/usr/bin/env bash
# Shared by the fuzz scripts: runs one built libFuzzer target and reports it.
#
#   fuzz_run NAME BINARY CORPUS OUT SECONDS [EXTRA LIBFUZZER ARGUMENTS...]
#
# Writes NAME's log to OUT/NAME.log and crashing inputs to OUT/NAME/; prints PASS with the number
# of runs, or FAIL; returns non-zero on a crash, a hang or a sanitizer report.
fuzz_run() {
    local name="$1" binary="$2" corpus="$3" out="$4" seconds="$5"
    shift 5
    mkdir -p "$out/$name"
    echo "fuzzing $name for $seconds s"
    if ! SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/$name/" -print_final_stats=1 "$@" > "$out/$name.log" 2>&1; then
        echo "FAIL $name: see $out/$name.log and $out/$name/"
        return 1
    fi
    echo "PASS $name: $(grep -E '^stat::number_of_executed_units' "$out/$name.log" | awk '{print $2}') runs, no crash"
}
