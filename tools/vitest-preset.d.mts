import type { ViteUserConfig } from 'vitest/config';
export declare const SOURCE_CONDITION: string;
export declare function nodeTestConfig(options?: { include?: string[]; setupFiles?: string[] }): ViteUserConfig;
export declare function browserTestConfig(options: {
  include: string[];
  provider: (options: { launchOptions: { executablePath: string; args: string[] } }) => unknown;
  setupFiles?: string[];
  prebundle?: string[];
}): ViteUserConfig;
