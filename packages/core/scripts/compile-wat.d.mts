export declare function compileWat(name: string, source: string): Promise<Uint8Array>;
export declare function generatedSource(path: string): Promise<string>;
export declare function watFiles(dir: string): string[];
