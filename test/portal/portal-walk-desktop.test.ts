import { walkSuite } from './walk-suite.js';

// The developer portal's whole walk on a desktop (1280×800): test/portal/walk-suite.ts.

await walkSuite('desktop');
