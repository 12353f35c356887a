import type { ViteUserConfig } from 'vitest/config';
export declare const SOURCE_CONDITION: string;
export declare function nodeTestConfig(options?: { include?: string[]; setupFiles?: string[] }): ViteUserConfig;
