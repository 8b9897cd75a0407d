import * as netkit from '@netkit/dns';
import dnsPacket from 'dns-packet';
import { buildMessages } from './lib/dns-messages.mjs';
const wire = buildMessages().map((m) => m.wire);
let sink = 0;
const nk = () => { for (let i = 0; i < wire.length; i++) sink += netkit.decode(wire[i]).answers.length; };
const dp = () => { for (let i = 0; i < wire.length; i++) sink += dnsPacket.decode(wire[i]).answers.length; };
const mode = process.argv[2];
function slice(fn, passes) { if (mode === 'gc') globalThis.gc(); const t0 = performance.now(); for (let i = 0; i < passes; i++) fn(); return passes * 8 / ((performance.now() - t0) / 1000); }
for (let i = 0; i < 3000; i++) { nk(); dp(); }
const a = [], b = [];
for (let r = 0; r < 40; r++) { a.push(slice(nk, 800)); b.push(slice(dp, 400)); }
const med = (v) => v.sort((x, y) => x - y)[v.length >> 1];
console.log(mode, 'netkit', Math.round(med(a)), 'dp', Math.round(med(b)));
