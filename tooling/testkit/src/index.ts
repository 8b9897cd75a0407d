// @netkit/testkit: helpers for netkit's tests (network namespaces, bridges, veth pairs, real
// peers, bounded child processes). Private; consumed only by vitest.

export { rejectionOf, settlesWithin, thrownBy, waitUntil } from './assertions.js';
export {
  type ExitStatus,
  type ManagedProcess,
  nodeScriptIn,
  type RunOptions,
  type RunResult,
  run,
  type SpawnOptions,
  spawnProcess,
  stopAll,
  type WaitForOptions,
} from './exec.js';
export { cleanupStale, listNamespaces } from './netns.js';
export {
  createLink,
  createNetwork,
  type LinkOptions,
  type NetworkOptions,
  type TestHost,
  type TestLink,
  type TestNetwork,
} from './network.js';
export {
  addNftDropRule,
  type DropOptions,
  type DropProtocol,
  type NamespaceRef,
  removeNftDropRule,
} from './nft.js';
export {
  type Installed,
  packAndInstall,
  type ReadmeExample,
  readmeExample,
  runReadmeExample,
} from './pack.js';
export {
  freePort,
  freeServerPort,
  type NcatOptions,
  type NcatProcess,
  startNcat,
  startSocat,
  tsharkReady,
} from './peers.js';
export {
  canCreateNetns,
  canUseNftables,
  hasCommand,
  isCI,
  isRoot,
  type Need,
  type RequirementResult,
  requirements,
  type SkipDecision,
  skipUnless,
} from './requirements.js';
