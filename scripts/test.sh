#!/usr/bin/env bash
# The project's test command (README, .ci/run): install what the tests need and
# is missing on this machine, make sure PostgreSQL is up, then run every test
# under the race detector. Safe to rerun: nothing is installed twice.
#
# Debian packages the tests use: openssl (verify, x509, pkcs12, pkey), slapd and
# ldap-utils (the LDAP appointment source tests), postgresql-client (pg_isready),
# poppler-utils (pdftotext, pdftoppm, pdffonts) and zbar-tools (zbarimg reads
# the QR codes printed on receipts).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

log() { printf '\n== %s\n' "$*"; }

# Each package with a program it provides: a package counts as present when
# dpkg says it is installed, or (without dpkg) when its program is on PATH.
declare -A program=([openssl]=openssl [slapd]=slapd [ldap-utils]=ldapadd [postgresql-client]=pg_isready
  [ca-certificates]=update-ca-certificates [poppler-utils]=pdftotext [zbar-tools]=zbarimg)
present() {
  if command -v dpkg >/dev/null 2>&1; then
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
  else
    PATH="$PATH:/usr/sbin:/sbin" command -v "${program[$1]}" >/dev/null 2>&1
  fi
}
need=()
for p in openssl slapd ldap-utils postgresql-client ca-certificates poppler-utils zbar-tools; do
  present "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing Debian packages: ${need[*]}" >&2
    echo "install them (sudo apt-get install ${need[*]}) or run this script as root" >&2
    exit 1
  fi
  log "installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL: the tests run the store against it (127.0.0.1:5432, database test).
export SELLO_TEST_POSTGRES_URL="${SELLO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is required and not reachable on 127.0.0.1:5432" >&2; exit 1; }

log "go $(go version | awk '{print $3}')"
go mod download

log "vet"
go vet ./...

log "tests"
go test -race -count=1 ./... "$@"
