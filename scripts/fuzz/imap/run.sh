#!/usr/bin/env bash
# Fuzz IMAPProtocol's response parser with libFuzzer. The target is compiled with swiftc from
# the Wire/ and Errors/ sources (they import nothing but the standard library) and
# IMAPResponseFuzz.swift, with the fuzzer and address sanitizers.
#
#   scripts/fuzz/imap/run.sh [SECONDS]   (default 600)
#
# Exit status is libFuzzer's: non-zero on a crash, a hang or a sanitizer report; crashing inputs
# are kept in $OUT/artifacts/ (default /tmp/maillink-fuzz-imap), the corpus in $OUT/corpus/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SRC="$ROOT/Sources/IMAPProtocol"
OUT="${OUT:-/tmp/maillink-fuzz-imap}"
SECONDS_TO_RUN="${1:-600}"
mkdir -p "$OUT/corpus" "$OUT/artifacts" "$OUT/seeds"
binary="$OUT/imap-response-fuzz"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name IMAPProtocolFuzz \
    "$SRC"/Wire/*.swift "$SRC"/Errors/*.swift "$HERE/IMAPResponseFuzz.swift" -o "$binary" 2>&1 \
    | { grep -v "Cannot export local symbol" || true; }

# Seeds: a greeting, a SELECT, a LIST, a FETCH with a body literal, SEARCH, STATUS, IDLE.
printf '* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ IDLE AUTH=PLAIN] ready\r\nA1 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in\r\n' > "$OUT/seeds/login"
printf '* FLAGS (\\Answered \\Seen)\r\n* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1796196878] v\r\n* OK [UIDNEXT 4] n\r\n* OK [HIGHESTMODSEQ 9] m\r\nA2 OK [READ-WRITE] done\r\n' > "$OUT/seeds/select"
printf '* LIST (\\HasNoChildren \\Sent) "." Sent\r\n* LIST () NIL {5}\r\nEntw&\r\n* LIST (\\Noselect) "/" "a \\"b\\"" ("CHILDINFO" ("SUBSCRIBED"))\r\nA3 OK\r\n' > "$OUT/seeds/list"
printf '* 1 FETCH (UID 7 RFC822.SIZE 11 FLAGS (\\Seen) INTERNALDATE "02-Dec-2026 09:00:00 +0000" MODSEQ (5) BODY[] {11}\r\nSubject: x\n)\r\n* 2 FETCH (FLAGS ())\r\nA4 OK\r\n' > "$OUT/seeds/fetch"
printf '* SEARCH 1 2 5 (MODSEQ 9)\r\n* ESEARCH (TAG "A5") UID ALL 1:3,7\r\n* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 1 UNSEEN 0)\r\n* VANISHED (EARLIER) 1:2\r\n* ID ("name" "Dovecot" "os" NIL)\r\n+ idling\r\n* BYE bye\r\n' > "$OUT/seeds/misc"

# Swift's own backtracer trips ASan while it reads memory: let libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no
nice -n 10 "$binary" "$OUT/corpus" "$OUT/seeds" -dict="$ROOT/scripts/fuzz/mail.dict" -max_len=8192 \
    -rss_limit_mb=2048 -timeout=10 -max_total_time="$SECONDS_TO_RUN" -print_final_stats=1 \
    -artifact_prefix="$OUT/artifacts/"
