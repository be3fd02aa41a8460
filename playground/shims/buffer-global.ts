/* buffer-global - injected by esbuild into the browser bundle: every free `Buffer` is this shim's class */
export { Buffer } from './buffer.ts';
