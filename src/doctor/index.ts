export { DEFAULT_DOCTOR_PORTS, DEFAULT_STEP_TIMEOUT_MS } from './defaults.js';
export { type DoctorOptions, runDoctor } from './doctor.js';
export { COLOURS, formatDoctorReport, NO_COLOURS, type Palette } from './format.js';
export type {
  CertificateReport,
  DoctorReport,
  EhloSummary,
  Finding,
  PortReport,
  PortRole,
  Reachability,
  Recommendation,
  Service,
} from './report.js';
export { clientSettings, SETTINGS_CLIENTS } from './settings.js';
export { recommend } from './verdict.js';
