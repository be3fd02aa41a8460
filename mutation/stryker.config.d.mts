/* stryker.config - the options of stryker.config.mjs that run.ts and the config test rely on */
declare const config: {
  readonly testRunner: string;
  readonly vitest: { readonly configFile: string; readonly related: boolean };
  readonly coverageAnalysis: 'off' | 'all' | 'perTest';
  readonly concurrency: number;
  readonly mutate: readonly string[];
};
export default config;
