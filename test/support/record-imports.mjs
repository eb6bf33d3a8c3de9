// `node --import ./record-imports.mjs ...`: appends the URL of every module the process imports
// (through `import`, static or dynamic) to the file named by $RECORD_IMPORTS_FILE, one a line;
// for the tests of what a CLI command loads. The hook runs in Node's loader thread.
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url));
