/**
 * The doctor's defaults, apart from the probe itself: the CLI shows them in `--help` and `send`
 * shares the step timeout, without loading the doctor's TLS and certificate code to start.
 */
export const DEFAULT_DOCTOR_PORTS: readonly number[] = [587, 465, 2525, 25];
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
