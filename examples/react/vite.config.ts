import { defineConfig } from 'vite';

// No React plugin needed: Vite's built-in transform compiles JSX with the automatic runtime.
export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', emptyOutDir: true },
});
