// Helpers shared by netkit's packages. Private: tsup bundles this into each published package
// (noExternal), so @netkit/udp and @netkit/tcp still depend on no sibling at run time.
export { type Payload, toBuffer } from './payload.js';
export { checkInteger, checkPort, checkSignal, checkTimeout } from './validate.js';
export { makeWaitFor, type WaitErrors, type WaitFor, type WaitOptions } from './wait.js';
