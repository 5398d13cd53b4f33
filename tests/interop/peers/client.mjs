#!/usr/bin/env node
// Reference v2 client peer: @x402/fetch wrapFetchWithPayment over an x402Client with the @x402/evm
// exact scheme registered for eip155:* (v2) and for the v1 network names. Default policies: the
// 2.27 spend controls stay ON (default-table assets only, at most $1 per payment).
//
// Prints exactly one JSON line:
//   {"success":bool,"status":N|null,"body":text|null,"paymentResponse":obj|null,"error":text|null}
// and exits 0 only when the request ended in a 2xx. On a final 402, "error" is the server's reason
// (PAYMENT-REQUIRED error / v1 body error / settlement errorReason); on a thrown error, its message.

import { wrapFetchWithPayment, x402Client, x402HTTPClient } from "@x402/fetch";
import { toClientEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/client";
import { ExactEvmSchemeV1 } from "@x402/evm/exact/v1/client";
import { NETWORKS as EVM_V1_NETWORKS } from "@x402/evm/v1";
import { privateKeyToAccount } from "viem/accounts";
import { loadDevnet, parseFlags, parseIndex, parsePositiveInt, resolveKey, toJson, die } from "./lib/common.mjs";

const USAGE = `usage: client.mjs --url URL (--key-file F | --key-env NAME | --devnet D) [options]

  --url URL            resource to fetch
  --method M           HTTP method (default GET)
  --data TEXT          request body (sent as is)
  --header 'K: V'      extra request header (repeatable)
  --key-file F         file holding the buyer's 0x-hex private key
  --key-env NAME       or: environment variable NAME holds it
  --devnet D           or: the devnet's buyer_key_files[--key-index] (default 0)
  --key-index N        which devnet buyer key
  --rpc URL            RPC for the scheme's optional extension reads (default: the devnet's)
  --timeout-ms MS      overall deadline (default 60000)

Output: one JSON line {"success","status","body","paymentResponse","error"}; exit 0 iff 2xx.`;

const { values: flags } = parseFlags(
  {
    url: { type: "string" },
    method: { type: "string" },
    data: { type: "string" },
    header: { type: "string", multiple: true },
    "key-file": { type: "string" },
    "key-env": { type: "string" },
    devnet: { type: "string" },
    "key-index": { type: "string" },
    rpc: { type: "string" },
    "timeout-ms": { type: "string" },
  },
  USAGE,
);

if (!flags.url) die("--url is required");
const devnet = flags.devnet ? loadDevnet(flags.devnet) : undefined;
const key = resolveKey({
  keyFile: flags["key-file"],
  keyEnv: flags["key-env"],
  devnet,
  listName: "buyer_key_files",
  index: parseIndex(flags["key-index"], "--key-index"),
});
const timeoutMs = parsePositiveInt(flags["timeout-ms"], "--timeout-ms", 60_000);
const rpcUrl = flags.rpc ?? devnet?.rpc_url;

const headers = {};
for (const line of flags.header ?? []) {
  const i = line.indexOf(":");
  if (i <= 0) die(`--header: expected 'Name: value', got ${line}`);
  headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
}

const signer = toClientEvmSigner(privateKeyToAccount(key));
const client = new x402Client();
client.register("eip155:*", new ExactEvmScheme(signer, rpcUrl ? { rpcUrl } : undefined));
for (const name of EVM_V1_NETWORKS) client.registerV1(name, new ExactEvmSchemeV1(signer));
const httpClient = new x402HTTPClient(client);
const fetchWithPayment = wrapFetchWithPayment(fetch, httpClient);

function emit(result, code) {
  process.stdout.write(`${toJson(result)}\n`, () => process.exit(code));
}

const deadline = setTimeout(() => {
  emit({ success: false, status: null, body: null, paymentResponse: null, error: `timed out after ${timeoutMs} ms` }, 1);
}, timeoutMs);

try {
  const response = await fetchWithPayment(flags.url, {
    method: flags.method ?? "GET",
    headers,
    body: flags.data,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  let paymentResponse = null;
  let error = null;
  try {
    paymentResponse = httpClient.getPaymentSettleResponse((name) => response.headers.get(name));
  } catch (e) {
    if (!/header not found/.test(e.message)) error = `cannot decode payment response: ${e.message}`;
  }
  const ok = response.status >= 200 && response.status < 300;
  if (response.status === 402 && error === null) {
    // Payment refused: report the server's reason (PAYMENT-REQUIRED error, or a v1 body's error).
    try {
      let parsedBody;
      try {
        parsedBody = JSON.parse(body);
      } catch {
        parsedBody = undefined;
      }
      const required = httpClient.getPaymentRequiredResponse((name) => response.headers.get(name), parsedBody);
      error = required.error ?? null;
    } catch {
      /* no PAYMENT-REQUIRED: a settlement failure carries its reason in paymentResponse */
    }
    if (error === null && paymentResponse?.errorReason) error = paymentResponse.errorReason;
  }
  clearTimeout(deadline);
  const success = ok && error === null;
  emit({ success, status: response.status, body, paymentResponse, error }, success ? 0 : 1);
} catch (e) {
  clearTimeout(deadline);
  emit({ success: false, status: null, body: null, paymentResponse: null, error: e instanceof Error ? e.message : String(e) }, 1);
}
