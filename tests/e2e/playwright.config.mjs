import { defineConfig } from '@playwright/test';

const port = Number(process.env.APP_PORT ?? 8080);
export default defineConfig({
  testDir: './specs',
  timeout: 30_000,
  workers: 1,
  reporter: 'list',
  outputDir: './test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  // The release build in dist/ (made by `trunk build --release`) served as static files.
  webServer: process.env.NO_WEBSERVER ? undefined : {
    command: `python3 -m http.server ${port} --bind 127.0.0.1 --directory ../../dist`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
