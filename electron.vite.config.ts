import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { rendererConfig } from './vite.renderer.config'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
        input: {
          index: resolve(import.meta.dirname, 'src/main/host/electron/main.ts'),
          // Workers are separate entries so each finds the others beside it in out/main.
          trainWorker: resolve(import.meta.dirname, 'src/main/engine/process/trainWorker.ts'),
          inferenceWorker: resolve(
            import.meta.dirname,
            'src/main/engine/process/inferenceWorker.ts',
          ),
          preprocessWorker: resolve(import.meta.dirname, 'src/main/dataset/preprocessWorker.ts'),
          synthWorker: resolve(import.meta.dirname, 'src/main/dataset/synth/synthWorker.ts'),
          replicaWorker: resolve(import.meta.dirname, 'src/main/engine/parallel/replicaWorker.ts'),
          mapWorker: resolve(import.meta.dirname, 'src/main/studio/latent/mapWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': everything else is bundled in.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
})
