import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: false,
  // @netkit/internal is private: its code is bundled into this package, which exports none of its types.
  noExternal: ['@netkit/internal'],
});
