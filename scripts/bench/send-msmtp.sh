#!/bin/sh
# msmtp doing what `linkmail send --count N` does, for the send benchmark. msmtp sends one
# message per process (a new TCP connection, STARTTLS handshake and AUTH each time), so this
# runs it N times in a row, as a script or cron job that uses msmtp would.
#
# usage: send-msmtp.sh HOST PORT CA_FILE USER PASSWORD_FILE FROM TO COUNT MESSAGE_FILE
# The message file is a complete RFC 5322 message, sent as is each time.
set -eu
host=$1 port=$2 ca=$3 user=$4 password_file=$5 from=$6 to=$7 count=$8 message=$9
config=$(mktemp)
trap 'rm -f "$config"' EXIT
chmod 600 "$config"
cat >"$config" <<CONFIG
defaults
tls on
tls_starttls on
tls_trust_file $ca
account bench
host $host
port $port
auth on
user $user
password $(head -n 1 "$password_file")
from $from
account default : bench
CONFIG
i=0
while [ "$i" -lt "$count" ]; do
    msmtp -C "$config" -f "$from" -- "$to" <"$message"
    i=$((i + 1))
done
echo "sent $count messages"
