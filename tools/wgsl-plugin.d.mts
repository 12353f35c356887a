import type { Plugin } from 'vite';
export declare function wgsl(): Plugin;
