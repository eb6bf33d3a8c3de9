// The password-grant flood of the isolation scenario, in a process of its own so that it does
// not share the event loop of the load generator that measures the gateway.
// Usage: flood.mjs '<JSON: {connections, seconds, tokenUrl, clientId, clientSecret, logins, password}>'.
// Prints the load() summary as one JSON line.
import { load, passwordGrantRequests } from './lib/load.mjs';

const options = JSON.parse(process.argv[2]);
console.log(JSON.stringify(await load({ connections: options.connections, seconds: options.seconds, ...passwordGrantRequests(options) })));
