// The password-grant flood of the isolation scenario, in a process of its own so that it does
// not share the event loop of the load generator that measures the gateway.
// Usage: flood.mjs '<JSON options of load()>'. Prints the load() summary as one JSON line.
import { load } from './lib/load.mjs';

console.log(JSON.stringify(await load(JSON.parse(process.argv[2]))));
