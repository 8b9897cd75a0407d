import * as netkit from '@netkit/dns';
import dnsPacket from 'dns-packet';
import { buildMessages } from './lib/dns-messages.mjs';
const wire = buildMessages().map((m) => m.wire);
let sink = 0;
const nk = () => { for (let i = 0; i < wire.length; i++) sink += netkit.decode(wire[i]).answers.length; };
const dp = () => { for (let i = 0; i < wire.length; i++) sink += dnsPacket.decode(wire[i]).answers.length; };
for (let i = 0; i < 5000; i++) { nk(); dp(); }
for (const [name, fn] of [['netkit', nk], ['dp', dp]]) {
  globalThis.gc();
  const out = [];
  for (let c = 0; c < 12; c++) { const t0 = performance.now(); for (let i = 0; i < 200; i++) fn(); out.push(Math.round(1600 / ((performance.now() - t0) / 1000) / 1000)); }
  console.log(name, 'k msg/s per chunk of 200 passes after gc():', out.join(' '));
}
