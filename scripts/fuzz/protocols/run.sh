#!/usr/bin/env bash
# Fuzz the protocol parsers a mail server reaches with libFuzzer: POP3 status lines and CAPA
# (pop3-reply), POP3 LIST/UIDL listings and the unique-id audit (pop3-listing), SMTP replies
# (smtp-reply). Each target is compiled with swiftc from the parsers' own source files (they
# import nothing but the standard library), with the fuzzer and address sanitizers.
#
#   scripts/fuzz/protocols/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600 s; all three)
#
# Targets run one after the other, under nice. Exit status is non-zero if any target crashes,
# hangs or trips a sanitizer; crashing inputs are kept in $OUT/<target>/ (default
# /tmp/maillink-fuzz-protocols).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
POP3="$ROOT/Sources/POP3Protocol"
SMTP="$ROOT/Sources/SMTPSender"
OUT="${OUT:-/tmp/maillink-fuzz-protocols}"
SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(pop3-reply pop3-listing smtp-reply)
mkdir -p "$OUT"

sources_for() {
    case "$1" in
        pop3-reply) echo "$POP3/Wire/*.swift $POP3/Errors/POP3Error.swift $HERE/POP3ReplyFuzz.swift" ;;
        pop3-listing) echo "$POP3/Wire/*.swift $POP3/Errors/POP3Error.swift $HERE/POP3ListingFuzz.swift" ;;
        smtp-reply) echo "$SMTP/Protocol/SMTPReply.swift $SMTP/Protocol/SMTPReplyParser.swift $SMTP/Protocol/EnhancedStatusCode.swift $SMTP/Protocol/SMTPCapabilities.swift $SMTP/Errors/SMTPError.swift $SMTP/Errors/SMTPError+Classification.swift $HERE/SMTPReplyFuzz.swift" ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

seed() {
    local dir="$1" target="$2"
    mkdir -p "$dir"
    case "$target" in
        pop3-reply)
            printf '+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n-ERR [IN-USE] locked\r\n+ PDE4OTY=\r\n+OK 2 320\r\n' > "$dir/lines"
            printf 'TOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\nEXPIRE 60 USER\r\nIMPLEMENTATION x\r\n' > "$dir/capa"
            ;;
        pop3-listing)
            printf '1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n' > "$dir/uidl"
            printf '1 abc def\r\n2 abc\x01def\r\n3 id-\xc3\xb1\r\n4 abc\r\n5 abc\r\n5 x\n' > "$dir/hostile"
            printf '1 120\r\n2 200 extra\r\n3 99999999999999999\r\n' > "$dir/list"
            ;;
        smtp-reply)
            printf '220 mx.example.com ESMTP\r\n250-mx.example.com\r\n250-SIZE 35882577\r\n250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n535 5.7.8 bad\r\n' > "$dir/ehlo"
            printf '534-5.7.9 Application-specific password required\r\n534 5.7.9 https://x\r\n421 4.7.0 bye\r\n' > "$dir/failures"
            ;;
    esac
}

status=0
for target in "${TARGETS[@]}"; do
    binary="$OUT/fuzz-$target"
    # shellcheck disable=SC2046
    nice -n 10 swiftc -parse-as-library -O -sanitize=fuzzer,address -module-name ProtocolFuzz $(sources_for "$target") \
        -o "$binary" 2>&1 | { grep -v "Cannot export local symbol" || true; }
    corpus="$OUT/$target-corpus"
    seed "$corpus" "$target"
    nice -n 19 bash -c "source '$HERE/../lib.sh' && fuzz_run '$target' '$binary' '$corpus' '$OUT' '$SECONDS_PER_TARGET' -max_len=4096" \
        || status=1
done
exit $status
