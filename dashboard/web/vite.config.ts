import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server (dashboard/server) serves dist/ and answers /api and /socket.io; in development
// (`pnpm --filter @gatewatch/web dev`) Vite proxies those to a running server.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source'] },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
  // No source maps in the build: served, they gave anyone the officer and manager code with
  // its comments (sourcesContent). Development (`vite dev`) has its own.
  build: { outDir: 'dist', sourcemap: false },
});
