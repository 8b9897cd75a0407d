#!/usr/bin/env node
import { main } from './main.js';

// SIGINT/SIGTERM stop servers gracefully (they print their counters); a second one forces exit.
const controller = new AbortController();
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(130);
    stopping = true;
    controller.abort();
  });
}
process.exitCode = await main(process.argv.slice(2), undefined, controller.signal);
