#!/usr/bin/env bash
# Fuzz AutoDiscovery's parsers with libFuzzer: the XML reader, the DNS message parser and the
# HTTP response parser. Each target is compiled with swiftc from the parser's own source files
# (they import nothing but the standard library), with the fuzzer and address sanitizers.
#
#   scripts/fuzz/discovery/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600 s; xml dns http)
#
# Exit status is non-zero if any target crashes, hangs or trips a sanitizer; crashing inputs are
# kept in $OUT/<target>/ (default /tmp/maillink-fuzz-discovery).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SRC="$ROOT/Sources/AutoDiscovery"
OUT="${OUT:-/tmp/maillink-fuzz-discovery}"
SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(xml dns http)
mkdir -p "$OUT"

sources_for() {
    case "$1" in
        xml) echo "$SRC/Autoconfig/XMLReader.swift $SRC/Autoconfig/XMLElement.swift $SRC/Discovery/DiscoveryError.swift $SRC/Support/String+Trimming.swift $HERE/XMLReaderFuzz.swift" ;;
        dns) echo "$SRC/DNS/DNSMessage.swift $SRC/DNS/DNSReader.swift $SRC/DNS/DNSRecord.swift $SRC/Discovery/DiscoveryError.swift $HERE/DNSMessageFuzz.swift" ;;
        http) echo "$SRC/../MailTransport/HTTPResponseParser.swift $SRC/../MailTransport/TransportError.swift $SRC/../MailTransport/CertificateSummary.swift $HERE/HTTPResponseFuzz.swift" ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

seed() {
    local dir="$1" target="$2"
    mkdir -p "$dir"
    case "$target" in
        xml)
            printf '<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x.com"><domain>x.com</domain><incomingServer type="pop3"><hostname>pop.x.com</hostname><port>995</port><socketType>SSL</socketType><username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></incomingServer></emailProvider></clientConfig>' > "$dir/config"
            printf '<a x="1" y=\x27&lt;&#65;\x27><!-- c --><![CDATA[raw]]><b/></a>' > "$dir/features"
            ;;
        dns)
            printf '\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x07example\x03com\x00\x00\x0f\x00\x01\xc0\x0c\x00\x0f\x00\x01\x00\x00\x0e\x10\x00\x08\x00\x0a\x03mx1\xc0\x0c' > "$dir/mx"
            printf '\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x01x\x04test\x00\x00\x21\x00\x01\xc0\x0c\x00\x21\x00\x01\x00\x00\x0e\x10\x00\x0d\x00\x00\x00\x01\x03\xe3\x04mail\xc0\x0c' > "$dir/srv"
            ;;
        http)
            printf 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 3\r\n\r\nabc' > "$dir/length"
            printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' > "$dir/chunked"
            ;;
    esac
}

status=0
for target in "${TARGETS[@]}"; do
    binary="$OUT/fuzz-$target"
    # shellcheck disable=SC2046
    swiftc -parse-as-library -O -sanitize=fuzzer,address -module-name AutoDiscoveryFuzz -package-name MailLink $(sources_for "$target") -o "$binary"
    corpus="$OUT/$target-corpus"
    seed "$corpus" "$target"
    # shellcheck source=../lib.sh
    source "$HERE/../lib.sh"
    fuzz_run "$target" "$binary" "$corpus" "$OUT" "$SECONDS_PER_TARGET" || status=1
done
exit $status
