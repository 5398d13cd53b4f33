#!/usr/bin/env node
// Reference legacy v1 seller peer: Express + x402-express 1.2.0
// paymentMiddleware(payTo, routes, {url: facilitator}) selling GET /weather on "base-sepolia".

import express from "express";
import { paymentMiddleware } from "x402-express";
import { v1NameOf } from "./lib/chain.mjs";
import { die, listenLoopback, loadDevnet, makeLogger, parseFlags, parsePort, parsePositiveInt } from "./lib/common.mjs";

const USAGE = `usage: seller-v1.mjs --port P --facilitator URL (--devnet D | --pay-to ADDR) [options]

  --port P                  listen on 127.0.0.1:P (0 = any free port)
  --facilitator URL         facilitator base URL (legacy useFacilitator({url}))
  --devnet D                payTo = devnet payee; network = v1 name of the devnet chain
  --pay-to ADDR             payee address (overrides the devnet's)
  --network NAME            v1 network name (default: base-sepolia, or the devnet chain's name)
  --price MONEY             price of the paid route (default '$0.001' → legacy USDC table)
  --amount ATOMIC           instead of --price: this atomic amount of the devnet asset
  --path PATH               paid route, GET (default /weather)
  --description TEXT        route description (default "Weather")
  --mime-type TYPE          route mimeType (default application/json)
  --max-timeout-seconds N   route maxTimeoutSeconds (default: the SDK's, 60)
  --verbose                 log requests to stderr

Routes: GET <path> (paid) → {"weather":"sunny","temperature":70}; GET /free → {"free":true}.
Ready line on stdout: "Seller listening on http://127.0.0.1:P".`;

const { values: flags } = parseFlags(
  {
    port: { type: "string" },
    facilitator: { type: "string" },
    devnet: { type: "string" },
    "pay-to": { type: "string" },
    network: { type: "string" },
    price: { type: "string" },
    amount: { type: "string" },
    path: { type: "string" },
    description: { type: "string" },
    "mime-type": { type: "string" },
    "max-timeout-seconds": { type: "string" },
    verbose: { type: "boolean" },
  },
  USAGE,
);

const port = parsePort(flags.port);
if (!flags.facilitator) die("--facilitator URL is required");
const devnet = flags.devnet ? loadDevnet(flags.devnet) : undefined;
const payTo = flags["pay-to"] ?? devnet?.payee;
if (!payTo) die("--pay-to ADDR or --devnet D is required");
const network = flags.network ?? (devnet ? v1NameOf(devnet.chain_id) : "base-sepolia");
if (!network) die(`no v1 network name for chain ${devnet?.chain_id}; give --network`);
const path = flags.path ?? "/weather";
if (!path.startsWith("/")) die("--path must start with /");
if (flags.price !== undefined && flags.amount !== undefined) die("give --price or --amount, not both");

let price = flags.price ?? "$0.001";
if (flags.amount !== undefined) {
  if (!/^\d+$/.test(flags.amount)) die("--amount: not an atomic integer amount");
  if (!devnet) die("--amount needs --devnet D (for the asset and its EIP-712 domain)");
  price = {
    amount: flags.amount,
    asset: {
      address: devnet.asset,
      decimals: 6,
      eip712: { name: devnet.asset_name ?? "USDC", version: devnet.asset_version ?? "2" },
    },
  };
}

const config = {
  description: flags.description ?? "Weather",
  mimeType: flags["mime-type"] ?? "application/json",
};
const maxTimeoutSeconds = parsePositiveInt(flags["max-timeout-seconds"], "--max-timeout-seconds", undefined);
if (maxTimeoutSeconds !== undefined) config.maxTimeoutSeconds = maxTimeoutSeconds;

const routes = { [`GET ${path}`]: { price, network, config } };
const log = makeLogger(flags.verbose, "seller-v1");

const app = express();
app.disable("x-powered-by");
app.use((req, res, next) => {
  res.on("finish", () => log(req.method, req.originalUrl, "→", res.statusCode));
  next();
});
const middleware = paymentMiddleware(payTo, routes, { url: flags.facilitator });
// The legacy middleware is an async function; Express 4 does not catch its rejections.
app.use((req, res, next) => {
  middleware(req, res, next).catch((error) => {
    process.stderr.write(`seller-v1: middleware error: ${error?.message ?? error}\n`);
    if (!res.headersSent) res.status(500).json({ error: error?.message ?? "Internal Server Error" });
  });
});
app.get(path, (req, res) => {
  res.json({ weather: "sunny", temperature: 70 });
});
app.get("/free", (req, res) => {
  res.json({ free: true });
});

await listenLoopback(app, port, "Seller");
