#!/usr/bin/env node
// Reference v2 seller peer: Express + @x402/express paymentMiddleware selling GET /weather on the
// devnet network, through an HTTPFacilitatorClient pointed at --facilitator.

import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { HTTPFacilitatorClient, isFatalStartupInitError, x402HTTPResourceServer } from "@x402/core/http";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { die, listenLoopback, loadDevnet, makeLogger, parseFlags, parsePort, parsePositiveInt } from "./lib/common.mjs";

const USAGE = `usage: seller.mjs --port P --facilitator URL (--devnet D | --pay-to ADDR) [options]

  --port P                  listen on 127.0.0.1:P (0 = any free port)
  --facilitator URL         facilitator base URL (HTTPFacilitatorClient({url}))
  --devnet D                payTo = devnet payee, network = devnet network, asset = devnet asset
  --pay-to ADDR             payee address (overrides the devnet's)
  --network N               CAIP-2 network (default: devnet's, else eip155:84532)
  --price MONEY             price of the paid route (default '$0.001' → default stablecoin)
  --amount ATOMIC           instead of --price: this atomic amount of the devnet asset
                            (extra {name, version} from devnet asset_name/asset_version)
  --path PATH               paid route, GET (default /weather)
  --description TEXT        route description (default "Weather")
  --mime-type TYPE          route mimeType (default application/json)
  --max-timeout-seconds N   route maxTimeoutSeconds (default: the SDK's, 300)
  --facilitator-timeout-ms MS  HTTPFacilitatorClient timeoutMs (default: the SDK's, 90000)
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
    "facilitator-timeout-ms": { type: "string" },
    verbose: { type: "boolean" },
  },
  USAGE,
);

const port = parsePort(flags.port);
if (!flags.facilitator) die("--facilitator URL is required");
const devnet = flags.devnet ? loadDevnet(flags.devnet) : undefined;
const payTo = flags["pay-to"] ?? devnet?.payee;
if (!payTo) die("--pay-to ADDR or --devnet D is required");
const network = flags.network ?? devnet?.network ?? "eip155:84532";
const path = flags.path ?? "/weather";
if (!path.startsWith("/")) die("--path must start with /");
if (flags.price !== undefined && flags.amount !== undefined) die("give --price or --amount, not both");

let price = flags.price ?? "$0.001";
if (flags.amount !== undefined) {
  if (!/^\d+$/.test(flags.amount)) die("--amount: not an atomic integer amount");
  if (!devnet) die("--amount needs --devnet D (for the asset and its EIP-712 domain)");
  price = {
    amount: flags.amount,
    asset: devnet.asset,
    extra: { name: devnet.asset_name ?? "USDC", version: devnet.asset_version ?? "2" },
  };
}

const accepts = { scheme: "exact", price, network, payTo };
const maxTimeoutSeconds = parsePositiveInt(flags["max-timeout-seconds"], "--max-timeout-seconds", undefined);
if (maxTimeoutSeconds !== undefined) accepts.maxTimeoutSeconds = maxTimeoutSeconds;

const routes = {
  [`GET ${path}`]: {
    accepts,
    description: flags.description ?? "Weather",
    mimeType: flags["mime-type"] ?? "application/json",
  },
};

const facilitatorConfig = { url: flags.facilitator };
const timeoutMs = parsePositiveInt(flags["facilitator-timeout-ms"], "--facilitator-timeout-ms", undefined);
if (timeoutMs !== undefined) facilitatorConfig.timeoutMs = timeoutMs;
const facilitatorClient = new HTTPFacilitatorClient(facilitatorConfig);
const resourceServer = new x402ResourceServer(facilitatorClient).register(network, new ExactEvmScheme());
const log = makeLogger(flags.verbose, "seller");

// Fail fast on a facilitator that does not support the route (the middleware would exit on it
// too, but only after the ready line). An unreachable facilitator is not fatal: the middleware
// retries its initialisation on the first paid request, as in the reference.
try {
  await new x402HTTPResourceServer(resourceServer, routes).initialize();
} catch (error) {
  if (isFatalStartupInitError(error)) die(`seller: facilitator does not support the route: ${error.message}`, 1);
  process.stderr.write(`seller: facilitator not ready yet (${error.message}); will retry on the first paid request\n`);
}

const app = express();
app.disable("x-powered-by");
app.use((req, res, next) => {
  res.on("finish", () => log(req.method, req.originalUrl, "→", res.statusCode));
  next();
});
app.use(paymentMiddleware(routes, resourceServer));
app.get(path, (req, res) => {
  res.json({ weather: "sunny", temperature: 70 });
});
app.get("/free", (req, res) => {
  res.json({ free: true });
});

await listenLoopback(app, port, "Seller");
