#!/usr/bin/env bash
# Installs the built project into a temporary prefix and builds a consumer against it with
# find_package(x402). Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer")
expected='{"x402Version":2,"error":"Payment required","resource":{"url":"https://api.example.com/premium-data"},"accepts":[{"scheme":"exact","network":"eip155:84532","amount":"10000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x209693Bc6afc0C5328bA36FaF03C514EF312287C","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}}]}'
if [ "$out" != "$expected" ]; then
  echo "consumer printed: $out" >&2
  echo "expected:         $expected" >&2
  exit 1
fi
test -x "$work/prefix/bin/x402"
echo "install + find_package(x402) consumer: ok"
