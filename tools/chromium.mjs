// SPDX-License-Identifier: Apache-2.0
// Shared launch settings for Debian's /usr/bin/chromium (no browser download anywhere).
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Playwright already adds --headless, --disable-background-networking, --disable-component-update,
// --no-first-run, --disable-sync, --enable-unsafe-swiftshader and an --enable-features list;
// a second --enable-features replaces Playwright's, so its two features are repeated here.
export const CHROMIUM_ARGS = [
  '--no-sandbox', // root in a container
  '--enable-unsafe-webgpu', // without it: navigator.gpu exists but requestAdapter() -> null
  // WebGPU canvas presentation: without these three the GPU process dies with
  // "Could not find SharedImageBackingFactory ... WebgpuSwapChainTexture" as soon as a canvas is
  // configured, and every GPUDevice in the page is destroyed.
  '--enable-features=Vulkan,CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies',
  '--use-vulkan=swiftshader',
  '--use-angle=vulkan',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The machine has no internet; without this Chromium still looks up Google hosts at start.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];
