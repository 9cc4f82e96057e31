import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [svelte()],
  build: {
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      // The staff app, and the customer's order page (/track/), which shares none of its pages.
      input: {
        admin: fileURLToPath(new URL('./index.html', import.meta.url)),
        track: fileURLToPath(new URL('./track/index.html', import.meta.url)),
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
