#!/usr/bin/env node
// Reference facilitator peer: @x402/core x402Facilitator with the @x402/evm exact scheme (v2 and
// v1), mounted on a small Express app the way the reference e2e facilitator is (the SDK itself
// has no HTTP server). Real chain I/O through viem against the given RPC.

import express from "express";
import { x402Facilitator } from "@x402/core/facilitator";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import { ExactEvmSchemeV1 } from "@x402/evm/exact/v1/facilitator";
import { createHash } from "node:crypto";
import { createWalletClient, http, publicActions } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chainIdOf, v1NameOf, viemChain } from "./lib/chain.mjs";
import {
  die,
  listenLoopback,
  loadDevnet,
  makeLogger,
  parseFlags,
  parseIndex,
  parsePort,
  parsePositiveInt,
  resolveKey,
  toJson,
} from "./lib/common.mjs";

const USAGE = `usage: facilitator.mjs --port P (--devnet D | --rpc URL (--key-file F | --key-env NAME)) [options]

  --port P                     listen on 127.0.0.1:P (0 = any free port)
  --devnet D                   read rpc_url, network and facilitator_key_files from D/devnet.json
  --rpc URL                    JSON-RPC endpoint (overrides the devnet's)
  --network N                  CAIP-2 network for v2 (default: devnet's, else eip155:84532)
  --key-file F                 file holding the facilitator's 0x-hex private key
  --key-env NAME               or: environment variable NAME holds it
  --key-index N                which devnet facilitator key to use (default 0)
  --v1-network NAME            v1 network name to register (default: the reference's name for the
                               chain id, e.g. base-sepolia; "none" registers no v1 scheme)
  --confirmation-timeout-ms MS receipt wait bound (default 30000; then settlement_pending)
  --require-verify             e2e hook policy: settle only a payload verified in the last 5 min
  --verbose                    log each request's outcome to stderr

Ready line on stdout: "Facilitator listening on http://127.0.0.1:P".`;

const { values: flags } = parseFlags(
  {
    port: { type: "string" },
    devnet: { type: "string" },
    rpc: { type: "string" },
    network: { type: "string" },
    "key-file": { type: "string" },
    "key-env": { type: "string" },
    "key-index": { type: "string" },
    "v1-network": { type: "string" },
    "confirmation-timeout-ms": { type: "string" },
    "require-verify": { type: "boolean" },
    verbose: { type: "boolean" },
  },
  USAGE,
);

const port = parsePort(flags.port);
const devnet = flags.devnet ? loadDevnet(flags.devnet) : undefined;
const rpcUrl = flags.rpc ?? devnet?.rpc_url;
if (!rpcUrl) die("--rpc URL or --devnet D is required");
const network = flags.network ?? devnet?.network ?? "eip155:84532";
const chainId = chainIdOf(network);
if (!Number.isSafeInteger(chainId)) die(`--network: not an eip155 CAIP-2 network: ${network}`);
if (devnet && devnet.chain_id !== chainId) die(`--network ${network} does not match devnet chain_id ${devnet.chain_id}`);
const v1Network = flags["v1-network"] ?? v1NameOf(chainId);
const confirmationTimeoutMs = parsePositiveInt(flags["confirmation-timeout-ms"], "--confirmation-timeout-ms", 30_000);
const key = resolveKey({
  keyFile: flags["key-file"],
  keyEnv: flags["key-env"],
  devnet,
  listName: "facilitator_key_files",
  index: parseIndex(flags["key-index"], "--key-index"),
});
const log = makeLogger(flags.verbose, "facilitator");

// One viem client with wallet and public actions, bound to the local chain.
const account = privateKeyToAccount(key);
const client = createWalletClient({
  account,
  chain: viemChain(chainId, rpcUrl),
  transport: http(rpcUrl, { timeout: 15_000, retryCount: 1 }),
  pollingInterval: 250,
}).extend(publicActions);

const signer = toFacilitatorEvmSigner(
  {
    address: account.address,
    readContract: (args) => client.readContract({ ...args, args: args.args ?? [] }),
    verifyTypedData: (args) => client.verifyTypedData(args),
    writeContract: (args) => client.writeContract({ ...args, args: args.args ?? [] }),
    sendTransaction: (args) => client.sendTransaction(args),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  },
  { confirmationTimeoutMs },
);

const facilitator = new x402Facilitator();
facilitator.register(network, new ExactEvmScheme(signer));
if (v1Network && v1Network !== "none") {
  facilitator.registerV1(v1Network, new ExactEvmSchemeV1(signer));
}

// Optional e2e policy: a settle must follow a verify of the identical payload within 5 minutes.
if (flags["require-verify"]) {
  const verified = new Map();
  const hash = (payload) => createHash("sha256").update(JSON.stringify(payload)).digest("hex");
  facilitator
    .onAfterVerify(async (ctx) => {
      if (ctx.result.isValid) verified.set(hash(ctx.paymentPayload), Date.now());
    })
    .onBeforeSettle(async (ctx) => {
      const at = verified.get(hash(ctx.paymentPayload));
      if (at === undefined) return { abort: true, reason: "Payment must be verified before settlement" };
      if (Date.now() - at > 5 * 60 * 1000) {
        verified.delete(hash(ctx.paymentPayload));
        return { abort: true, reason: "Payment verification expired (must settle within 5 minutes)" };
      }
      return undefined;
    })
    .onAfterSettle(async (ctx) => {
      verified.delete(hash(ctx.paymentPayload));
    })
    .onSettleFailure(async (ctx) => {
      verified.delete(hash(ctx.paymentPayload));
    });
}

const errorMessage = (error) => (error instanceof Error ? error.message : "Unknown error");

const app = express();
app.disable("x-powered-by");
app.use(express.json());

app.post("/verify", async (req, res) => {
  try {
    const { paymentPayload, paymentRequirements } = req.body;
    if (!paymentPayload || !paymentRequirements) {
      return res.status(400).json({ error: "Missing paymentPayload or paymentRequirements" });
    }
    const result = await facilitator.verify(paymentPayload, paymentRequirements);
    log("verify", toJson(result));
    return res.json(result);
  } catch (error) {
    log("verify error:", errorMessage(error));
    return res.status(500).json({ error: errorMessage(error) });
  }
});

app.post("/settle", async (req, res) => {
  try {
    const { paymentPayload, paymentRequirements } = req.body;
    if (!paymentPayload || !paymentRequirements) {
      return res.status(400).json({ error: "Missing paymentPayload or paymentRequirements" });
    }
    const result = await facilitator.settle(paymentPayload, paymentRequirements);
    log("settle", toJson(result));
    return res.json(result);
  } catch (error) {
    const message = errorMessage(error);
    log("settle error:", message);
    // A settle aborted by a before-settle hook is answered as a failed SettleResponse (200).
    if (message.includes("Settlement aborted:")) {
      return res.json({
        success: false,
        errorReason: message.replace("Settlement aborted: ", ""),
        network: req.body?.paymentPayload?.network || "unknown",
      });
    }
    return res.status(500).json({ error: message });
  }
});

app.get("/supported", (req, res) => {
  try {
    return res.json(facilitator.getSupported());
  } catch (error) {
    return res.status(500).json({ error: errorMessage(error) });
  }
});

app.get("/health", (req, res) => {
  res.json({ status: "ok", network, v1Network: v1Network ?? null, facilitator: "typescript-reference" });
});

await listenLoopback(app, port, "Facilitator");
