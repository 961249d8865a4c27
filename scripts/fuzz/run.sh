#!/usr/bin/env bash
# Builds and runs a libFuzzer target for the MailMessage parsers.
# Usage: scripts/fuzz/run.sh header|mime [seconds]   (default 600)
# The binary and the growing corpus live in .build-fuzz/ (ignored by git). The target is
# compiled from the MailMessage sources plus scripts/fuzz/<Target>Fuzz.swift into one
# module, so it can reach internal API. Exit status is libFuzzer's: non-zero on a crash,
# a leak or the RSS limit, with the crashing input saved in .build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:-header}"
seconds="${2:-600}"
case "$target" in
    header) source_file=scripts/fuzz/HeaderFuzz.swift; max_len=4096 ;;
    mime) source_file=scripts/fuzz/MIMEFuzz.swift; max_len=16384 ;;
    *) echo "usage: $0 header|mime [seconds]" >&2; exit 2 ;;
esac
out=.build-fuzz
mkdir -p "$out/corpus-$target" "$out/artifacts-$target"
binary="$out/$target-fuzz"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name MailMessageFuzz \
    Sources/MailMessage/*.swift "$source_file" -o "$binary" 2>&1 | { grep -v "Cannot export local symbol" || true; }

# Seeds: a few real-looking messages, written once.
seeds="$out/seeds-$target"
if [ ! -d "$seeds" ]; then
    mkdir -p "$seeds"
    printf 'From: =?utf-8?B?0JDQvdC90LA=?= <a@example.ru>\r\nTo: "B, C" <b@x.example>, g: c@y.example;\r\nSubject: =?koi8-r?Q?=F0=D2=C9=D7=C5=D4?=\r\n folded\r\nDate: Thu, 13 Feb 1969 23:32:54 -0330\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n' > "$seeds/simple"
    printf 'Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary="i"\n\n--i\nContent-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: quoted-printable\n\n=CF=F0\n--i--\n--o\nContent-Type: message/rfc822\n\nSubject: inner\n\nx\n--o\nContent-Disposition: attachment; filename*0*=utf-8%%27%%27%%D0%%90; filename*1=".txt"\nContent-Transfer-Encoding: base64\n\nQUJD\n--o--\n' > "$seeds/multipart"
fi

# Swift's own backtracer trips ASan while it reads memory: let libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no
nice -n 10 "$binary" "$out/corpus-$target" "$seeds" \
    -dict=scripts/fuzz/mail.dict -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/artifacts-$target/"
