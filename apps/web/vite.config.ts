import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the Vite server proxies API calls to a Tidings server started with `pnpm start`.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      "/trpc": "http://127.0.0.1:3000",
      "/healthz": "http://127.0.0.1:3000",
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // The zxcvbn dictionaries (~1.2 MB) are one chunk on purpose, loaded only on password fields.
    chunkSizeWarningLimit: 1_300,
  },
});
