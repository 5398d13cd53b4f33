#!/usr/bin/env node
// Reference client cost of one payment header, the counterpart of BM_CreatePaymentSignatureHeader
// (bench/client_bench.cpp): decode the PAYMENT-REQUIRED header (x402HTTPClient
// .getPaymentRequiredResponse), x402Client.createPaymentPayload with @x402/evm ExactEvmScheme over
// a viem local account (EIP-712 signature, random nonce), then encodePaymentSignatureHeader.
// Sequential awaits in one loop, after a warm-up (JIT). Prints one JSON line:
//   {"ns_per_op":median,"runs":[wall ns/op per repetition],"cpu_runs":[process CPU ns/op],"iterations":N}
//
//   node bench/ref/client_bench.mjs --interop tests/interop [--iterations 2000] [--warmup 500] [--repetitions 3]
import { parseArgs } from "node:util";
import { makeImporter } from "./resolve.mjs";

const { values } = parseArgs({
  options: {
    interop: { type: "string" },
    iterations: { type: "string", default: "2000" },
    warmup: { type: "string", default: "500" },
    repetitions: { type: "string", default: "3" },
  },
});
const imp = makeImporter(values.interop ?? "tests/interop");
const { x402Client, x402HTTPClient } = await imp("@x402/core/client");
const { ExactEvmScheme } = await imp("@x402/evm/exact/client");
const { toClientEvmSigner } = await imp("@x402/evm");
const { privateKeyToAccount } = await imp("viem/accounts");

// The same 402 as the C++ case (a @x402/express "$0.001" route on Base Sepolia).
const required = {
  x402Version: 2,
  error: "Payment required",
  resource: { url: "http://127.0.0.1:4021/weather", description: "Weather", mimeType: "application/json" },
  accepts: [
    {
      scheme: "exact",
      network: "eip155:84532",
      amount: "1000",
      asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
      payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
      maxTimeoutSeconds: 300,
      extra: { name: "USDC", version: "2" },
    },
  ],
};
const header = Buffer.from(JSON.stringify(required)).toString("base64");

const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const client = new x402Client();
client.register("eip155:*", new ExactEvmScheme(toClientEvmSigner(account)));
const http = new x402HTTPClient(client);
const getHeader = (name) => (name.toUpperCase() === "PAYMENT-REQUIRED" ? header : null);

let sink = 0;
async function once() {
  const paymentRequired = http.getPaymentRequiredResponse(getHeader);
  const payload = await http.createPaymentPayload(paymentRequired);
  const headers = http.encodePaymentSignatureHeader(payload);
  sink += headers["PAYMENT-SIGNATURE"].length;
}

const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
const repetitions = Number(values.repetitions);
for (let i = 0; i < warmup; i++) await once();
const runs = [];
const cpuRuns = [];
for (let r = 0; r < repetitions; r++) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await once();
  runs.push(Number(process.hrtime.bigint() - start) / iterations);
  const used = process.cpuUsage(cpu);
  cpuRuns.push(((used.user + used.system) * 1000) / iterations);
}
const sorted = [...runs].sort((a, b) => a - b);
if (sink === 0) throw new Error("no header produced");
process.stdout.write(
  `${JSON.stringify({ ns_per_op: sorted[Math.floor(sorted.length / 2)], runs, cpu_runs: cpuRuns, iterations })}\n`,
);
