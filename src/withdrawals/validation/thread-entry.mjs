// Entry of a validation thread: a worker thread does not inherit the TypeScript loader of the
// thread that started it, so it registers tsx itself before loading thread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
