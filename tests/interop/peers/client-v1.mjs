#!/usr/bin/env node
// Reference legacy v1 client peer: x402-fetch 1.2.0 wrapFetchWithPayment(fetch, walletClient,
// maxValue) with a viem wallet client on Base Sepolia (chain 84532) whose transport is the local
// RPC (x402's createSigner would use the public RPC; signing itself is local either way).
//
// Prints exactly one JSON line:
//   {"success":bool,"status":N|null,"body":text|null,"paymentResponse":obj|null,"error":text|null}
// and exits 0 only when the request ended in a 2xx. On a final 402, "error" is the server's reason
// (PAYMENT-REQUIRED error / v1 body error / settlement errorReason); on a thrown error, its message.

import { decodeXPaymentResponse, wrapFetchWithPayment } from "x402-fetch";
import { createWalletClient, http, publicActions } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { viemChain } from "./lib/chain.mjs";
import { die, loadDevnet, parseFlags, parseIndex, parsePositiveInt, resolveKey, toJson } from "./lib/common.mjs";

const USAGE = `usage: client-v1.mjs --url URL (--key-file F | --key-env NAME | --devnet D) [options]

  --url URL            resource to fetch
  --method M           HTTP method (default GET)
  --data TEXT          request body (sent as is)
  --header 'K: V'      extra request header (repeatable)
  --key-file F         file holding the buyer's 0x-hex private key
  --key-env NAME       or: environment variable NAME holds it
  --devnet D           or: the devnet's buyer_key_files[--key-index] (default 0)
  --key-index N        which devnet buyer key
  --rpc URL            RPC of the wallet client (default: the devnet's, else http://127.0.0.1:8545)
  --chain-id N         chain of the wallet client (default: the devnet's, else 84532)
  --max-value ATOMIC   x402-fetch maxValue in atomic units (default: the SDK's, 100000 = $0.10)
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
    "chain-id": { type: "string" },
    "max-value": { type: "string" },
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
const rpcUrl = flags.rpc ?? devnet?.rpc_url ?? "http://127.0.0.1:8545";
const chainId = parsePositiveInt(flags["chain-id"], "--chain-id", devnet?.chain_id ?? 84532);
if (flags["max-value"] !== undefined && !/^\d+$/.test(flags["max-value"])) die("--max-value: not an atomic amount");
const maxValue = flags["max-value"] !== undefined ? BigInt(flags["max-value"]) : undefined;

const headers = {};
for (const line of flags.header ?? []) {
  const i = line.indexOf(":");
  if (i <= 0) die(`--header: expected 'Name: value', got ${line}`);
  headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
}

const walletClient = createWalletClient({
  account: privateKeyToAccount(key),
  chain: viemChain(chainId, rpcUrl),
  transport: http(rpcUrl, { timeout: 15_000, retryCount: 1 }),
}).extend(publicActions);
const fetchWithPayment = wrapFetchWithPayment(fetch, walletClient, maxValue);

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
  const header = response.headers.get("X-PAYMENT-RESPONSE");
  if (header) {
    try {
      paymentResponse = decodeXPaymentResponse(header);
    } catch (e) {
      error = `cannot decode X-PAYMENT-RESPONSE: ${e.message}`;
    }
  }
  const ok = response.status >= 200 && response.status < 300;
  if (response.status === 402 && error === null) {
    // Payment refused: report the v1 402 body's error.
    try {
      const reason = JSON.parse(body)?.error;
      if (typeof reason === "string") error = reason;
    } catch {
      /* not JSON */
    }
  }
  clearTimeout(deadline);
  const success = ok && error === null;
  emit({ success, status: response.status, body, paymentResponse, error }, success ? 0 : 1);
} catch (e) {
  clearTimeout(deadline);
  emit({ success: false, status: null, body: null, paymentResponse: null, error: e instanceof Error ? e.message : String(e) }, 1);
}
