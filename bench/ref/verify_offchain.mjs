#!/usr/bin/env node
// The reference facilitator's /verify decision with the chain out of the loop, the counterpart of
// BM_VerifyDecisionOffChain (bench/facilitator_bench.cpp): JSON.parse of the request body,
// x402Facilitator.verify (@x402/evm ExactEvmScheme: rules, EIP-712 signature recovery) with a
// signer whose chain calls answer at once (asset has code, payer has none, the simulation
// succeeds), then JSON.stringify of the answer. Sequential awaits, after a warm-up. One JSON line:
//   {"ns_per_op":median,"runs":[wall ns/op],"cpu_runs":[process CPU ns/op],"iterations":N}
//
//   node bench/ref/verify_offchain.mjs --interop tests/interop [--iterations 1000] [--warmup 300] [--repetitions 3]
import { parseArgs } from "node:util";
import { makeImporter } from "./resolve.mjs";

const { values } = parseArgs({
  options: {
    interop: { type: "string" },
    iterations: { type: "string", default: "1000" },
    warmup: { type: "string", default: "300" },
    repetitions: { type: "string", default: "3" },
  },
});
const imp = makeImporter(values.interop ?? "tests/interop");
const { x402Client } = await imp("@x402/core/client");
const { x402Facilitator } = await imp("@x402/core/facilitator");
const { ExactEvmScheme: ClientScheme } = await imp("@x402/evm/exact/client");
const { ExactEvmScheme: FacilitatorScheme } = await imp("@x402/evm/exact/facilitator");
const { toClientEvmSigner, toFacilitatorEvmSigner } = await imp("@x402/evm");
const { verifyTypedData } = await imp("viem");
const { privateKeyToAccount } = await imp("viem/accounts");

const asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
const requirements = {
  scheme: "exact",
  network: "eip155:84532",
  amount: "1000",
  asset,
  payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
  maxTimeoutSeconds: 3600,
  extra: { name: "USDC", version: "2" },
};
const required = {
  x402Version: 2,
  error: "Payment required",
  resource: { url: "http://127.0.0.1:4021/weather", description: "Weather", mimeType: "application/json" },
  accepts: [requirements],
};

// A valid body signed now by the reference client.
const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const client = new x402Client();
client.register("eip155:*", new ClientScheme(toClientEvmSigner(account)));
const paymentPayload = await client.createPaymentPayload(required);
const body = JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements });

const noTransactions = async () => {
  throw new Error("no transactions in this benchmark");
};
const signer = toFacilitatorEvmSigner({
  address: "0x0000000000000000000000000000000000000001",
  readContract: async () => undefined,
  verifyTypedData: async (args) => verifyTypedData(args),
  writeContract: noTransactions,
  sendTransaction: noTransactions,
  waitForTransactionReceipt: noTransactions,
  getCode: async ({ address }) => (address.toLowerCase() === asset.toLowerCase() ? "0x6080604052" : "0x"),
});
const facilitator = new x402Facilitator();
facilitator.register("eip155:84532", new FacilitatorScheme(signer));

let sink = 0;
async function once() {
  const request = JSON.parse(body);
  const result = await facilitator.verify(request.paymentPayload, request.paymentRequirements);
  if (!result.isValid) throw new Error(`not valid: ${JSON.stringify(result)}`);
  sink += JSON.stringify(result).length;
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
if (sink === 0) throw new Error("nothing produced");
process.stdout.write(
  `${JSON.stringify({ ns_per_op: sorted[Math.floor(sorted.length / 2)], runs, cpu_runs: cpuRuns, iterations })}\n`,
);
