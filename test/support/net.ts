// The helpers live with the local stack (sim/), which the demo and benchmark also use.
export { freePort, waitFor } from '../../sim/net.js';
