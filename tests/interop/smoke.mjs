#!/usr/bin/env node
// Smoke test of the reference peers against each other on a running local devnet:
//   reference client → reference seller → reference facilitator → anvil (v2 and legacy v1),
// plus the offline checker on a fresh reference payment. Not part of the C++ suite.
//
//   node smoke.mjs --devnet D        (D from `x402 devnet up --dir D`; the devnet must be running)
//
// Every child is started on 127.0.0.1 with port 0, waited for with a deadline and stopped with
// SIGTERM (SIGKILL after 5 s). Ends with "N passed, N failed"; exit 0 iff nothing failed.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPublicClient, http, parseAbi } from "viem";
import { loadDevnet, parseFlags } from "./peers/lib/common.mjs";

const USAGE = "usage: node smoke.mjs --devnet D [--verbose]";
const { values: flags } = parseFlags({ devnet: { type: "string" }, verbose: { type: "boolean" } }, USAGE);
if (!flags.devnet) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const peer = (name) => join(here, "peers", name);
const D = flags.devnet;
const devnet = loadDevnet(D);

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? "PASS" : "FAIL"} ${name}${!ok && detail ? ` — ${detail}` : ""}\n`);
}

const children = new Set();

/** Starts a peer and resolves to { child, url } once its ready line appears (or rejects). */
function startPeer(script, args, label, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [peer(script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    child.stderrText = "";
    child.stderr.on("data", (d) => {
      child.stderrText += d;
      if (flags.verbose) process.stderr.write(`[${label}] ${d}`);
    });
    child.exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
    const timer = setTimeout(() => reject(new Error(`${label}: no ready line within ${timeoutMs} ms`)), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before its ready line: ${child.stderrText.trim()}`));
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves to the exit status. */
async function stopPeer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  const status = await child.exited;
  clearTimeout(timer);
  children.delete(child);
  return status;
}

/** Runs a one-shot peer and resolves to { code, stdout, json } (last stdout line parsed). */
function runPeer(script, args, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [peer(script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      children.delete(child);
      let json = null;
      try {
        json = JSON.parse(stdout.trim().split("\n").pop());
      } catch {
        /* not JSON */
      }
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim(), json });
    });
  });
}

const chain = { id: devnet.chain_id, name: "devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [devnet.rpc_url] } } };
const rpc = createPublicClient({ chain, transport: http(devnet.rpc_url, { timeout: 10_000, retryCount: 0 }) });
const erc20 = parseAbi(["function balanceOf(address) view returns (uint256)"]);
const balanceOfPayee = () => rpc.readContract({ address: devnet.asset, abi: erc20, functionName: "balanceOf", args: [devnet.payee] });

async function expectPaid(name, result, network) {
  const j = result.json;
  const ok =
    result.code === 0 &&
    j?.success === true &&
    j.status === 200 &&
    j.body === '{"weather":"sunny","temperature":70}' &&
    j.paymentResponse?.success === true &&
    j.paymentResponse.network === network &&
    /^0x[0-9a-f]{64}$/.test(j.paymentResponse.transaction ?? "");
  check(name, ok, `exit ${result.code}: ${result.stdout} ${result.stderr}`);
  if (!ok) return;
  const receipt = await rpc.getTransactionReceipt({ hash: j.paymentResponse.transaction });
  check(`${name}: settlement tx succeeded on chain`, receipt.status === "success", receipt.status);
}

async function main() {
  const started = Date.now();
  const facilitator = await startPeer("facilitator.mjs", ["--port", "0", "--devnet", D, "--verbose"], "facilitator");
  check("facilitator ready", true);
  const supported = await (await fetch(`${facilitator.url}/supported`, { signal: AbortSignal.timeout(5_000) })).json();
  check(
    "facilitator /supported lists v2 and v1 exact",
    JSON.stringify(supported.kinds) ===
      JSON.stringify([
        { x402Version: 2, scheme: "exact", network: devnet.network },
        { x402Version: 1, scheme: "exact", network: "base-sepolia" },
      ]),
    JSON.stringify(supported),
  );
  const missing = await fetch(`${facilitator.url}/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(5_000),
  });
  check("facilitator /verify without body fields → 400", missing.status === 400 && (await missing.text()) === '{"error":"Missing paymentPayload or paymentRequirements"}');

  const seller = await startPeer("seller.mjs", ["--port", "0", "--facilitator", facilitator.url, "--devnet", D], "seller");
  const sellerV1 = await startPeer("seller-v1.mjs", ["--port", "0", "--facilitator", facilitator.url, "--devnet", D], "seller-v1");
  check("sellers ready", true);

  const unpaid = await fetch(`${seller.url}/weather`, { signal: AbortSignal.timeout(10_000) });
  check("v2 seller: unpaid → 402 with PAYMENT-REQUIRED", unpaid.status === 402 && !!unpaid.headers.get("payment-required"));
  const unpaidV1 = await fetch(`${sellerV1.url}/weather`, { signal: AbortSignal.timeout(10_000) });
  const unpaidV1Body = await unpaidV1.json();
  check("v1 seller: unpaid → 402 with accepts[] body", unpaidV1.status === 402 && unpaidV1Body.accepts?.[0]?.network === "base-sepolia");

  const before = await balanceOfPayee();
  await expectPaid("client → seller → facilitator (v2)", await runPeer("client.mjs", ["--url", `${seller.url}/weather`, "--devnet", D]), devnet.network);
  await expectPaid("client-v1 → seller-v1 → facilitator (v1)", await runPeer("client-v1.mjs", ["--url", `${sellerV1.url}/weather`, "--devnet", D]), "base-sepolia");
  await expectPaid("client (v2 SDK) → seller-v1 (v1 wire)", await runPeer("client.mjs", ["--url", `${sellerV1.url}/weather`, "--devnet", D, "--key-index", "1"]), "base-sepolia");
  const after = await balanceOfPayee();
  check("payee received 3 × 1000 atomic units", after - before === 3000n, `${before} → ${after}`);

  const free = await runPeer("client.mjs", ["--url", `${seller.url}/free`, "--devnet", D]);
  check("client on a free route: 200, no payment response", free.code === 0 && free.json?.status === 200 && free.json.paymentResponse === null, free.stdout);

  // Offline checker on a fresh reference payment for the seller's own 402.
  const header = unpaid.headers.get("payment-required");
  const keyFile = devnet.buyer_key_files[0];
  const created = await runPeer("check.mjs", ["create-payment", "--payment-required-header", header, "--key-file", keyFile]);
  check("check create-payment", created.code === 0 && /^[A-Za-z0-9+/]+=*$/.test(created.stdout), created.stdout + created.stderr);
  const decodedRequired = await runPeer("check.mjs", ["decode-header", "PAYMENT-REQUIRED", "--value", header]);
  const requirements = JSON.stringify(decodedRequired.json?.accepts?.[0] ?? {});
  const verified = await runPeer("check.mjs", ["verify", "--payment-header", created.stdout, "--requirements-json", requirements]);
  check("check verify (chain-less) accepts it", verified.json?.isValid === true, verified.stdout + verified.stderr);
  const tampered = requirements.replace('"amount":"1000"', '"amount":"999"');
  const rejected = await runPeer("check.mjs", ["verify", "--payment-header", created.stdout, "--requirements-json", tampered]);
  check(
    "check verify rejects a changed amount",
    rejected.json?.invalidReason === "invalid_exact_evm_payload_authorization_value_mismatch",
    rejected.stdout,
  );

  for (const [name, p] of [["seller-v1", sellerV1], ["seller", seller], ["facilitator", facilitator]]) {
    const status = await stopPeer(p.child);
    check(`${name} exits 0 on SIGTERM`, status.code === 0, JSON.stringify(status));
  }
  process.stdout.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

try {
  await main();
} catch (error) {
  check("smoke run", false, error.message);
} finally {
  for (const child of children) await stopPeer(child);
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
