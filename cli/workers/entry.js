// A worker thread's entry: registers tsx's TypeScript loader in this thread (module hooks
// registered in the main thread do not reach workers on Node 20), then loads the worker.
import { register } from 'tsx/esm/api';

register();
const { default: work } = await import('./worker.ts');
export default work;
