import * as netkit from '@netkit/dns';
import { buildMessages } from './lib/dns-messages.mjs';
const wire = buildMessages().map((m) => m.wire);
let sink = 0;
const nk = () => { for (let i = 0; i < wire.length; i++) sink += netkit.decode(wire[i]).answers.length; };
for (let i = 0; i < 5000; i++) nk();
let keep = [];
const rates = [];
const t0 = performance.now();
for (let c = 0; c < 400; c++) {
  keep.push(Array.from({ length: 5000 }, (_, i) => ({ i })));  // long-lived garbage -> natural major GCs
  if (keep.length > 40) keep = [];
  const t = performance.now(); for (let i = 0; i < 50; i++) nk(); rates.push(400 / ((performance.now() - t) / 1000));
}
rates.sort((a, b) => a - b);
console.log('chunks of 50 passes: p10', Math.round(rates[40]), 'p50', Math.round(rates[200]), 'p90', Math.round(rates[360]));
