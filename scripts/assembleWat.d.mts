// Types of scripts/assembleWat.mjs for the test that checks the committed module.
export declare const WAT: string;
export declare const OUT: string;
export declare function assembledSource(): Promise<string>;
export declare function writeAssembled(): Promise<void>;
