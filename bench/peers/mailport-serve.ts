/**
 * Runs `mailport serve` from the working tree's sources (through tsx), so the bench always
 * measures the code as it is, built or not: `node --import tsx bench/peers/mailport-serve.ts serve …`.
 */
import { main } from '../../src/cli/main.js';

await main(process.argv);
