// Runs the real CLI entry point from source (the tests spawn it with `node --import tsx`).
import { main } from '../../src/cli/main.js';

await main(process.argv);
