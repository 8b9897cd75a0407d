import * as netkit from '@netkit/dns';
import { buildMessages } from './lib/dns-messages.mjs';
const wire = buildMessages().map((m) => m.wire);
let sink = 0;
const nk = () => { for (let i = 0; i < wire.length; i++) sink += netkit.decode(wire[i]).answers.length; };
for (let i = 0; i < 5000; i++) nk();
const mode = process.argv[2];
const t0 = performance.now();
for (let k = 0; k < 60; k++) { if (mode === 'gc') globalThis.gc(); for (let i = 0; i < 200; i++) nk(); }
console.log(mode, ((performance.now() - t0)).toFixed(0), 'ms');
