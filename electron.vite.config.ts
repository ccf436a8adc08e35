import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import type { Plugin } from 'vite'
import { appMetaCsp } from './src/shared/csp'

/** Writes the app page's CSP meta into index.html from the one CSP module, so it cannot drift from the doors' headers. */
function appCspMeta(): Plugin {
  return {
    name: 'fuelbook-app-csp',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: appMetaCsp() },
        injectTo: 'head-prepend'
      }
    ]
  }
}

// Main-process bundle has several entries: the Electron shell, the CLI (browser mode, export, exec)
// and the sandbox and codec workers, which worker_threads loads from their own files.
export default defineConfig({
  main: {
    build: {
      // Bundled, not required from node_modules: the WASI shim is an ES module, and the first ES
      // module a Node 20 process or worker loads through require() starts the ESM loader (~20 ms of
      // every sandbox worker's and `fuelbook exec`'s start; src/main/kernel/README.md, "Cold start").
      // zod, fflate and pep440 are bundled so that only what the service uses is loaded: required,
      // zod loaded its 40-odd locales and ~100 modules with the app and `fuelbook serve`.
      externalizeDeps: { exclude: ['@bjorn3/browser_wasi_shim', 'zod', 'fflate', '@renovatebot/pep440'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          worker: resolve(__dirname, 'src/main/sandbox/worker.ts'),
          'codec-worker': resolve(__dirname, 'src/main/kernel/codec-worker.ts'),
          library: resolve(__dirname, 'src/main/library.ts')
        },
        // Shared chunks sit next to the entries so every module's __dirname is out/main.
        output: { chunkFileNames: '[name]-[hash].js' }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [appCspMeta(), svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') })],
    build: {
      minify: true,
      // A local app loaded from disk: one ~900 kB bundle (CodeMirror, KaTeX loads on demand) is fine.
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    }
  }
})
