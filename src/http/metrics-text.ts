/** Renders `GET /metrics` in the Prometheus text exposition format (version 0.0.4). */
import type { MetricsRegistry } from '../metrics/registry.js';
import type { StoreStats } from '../storage/store.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Sample {
  labels?: Record<string, string>;
  value: number;
}

interface Metric {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Sample[];
}

export function renderMetrics(registry: MetricsRegistry, stats: StoreStats): string {
  const metrics: Metric[] = [
    gauge('mailport_messages', 'Messages currently stored.', stats.messages),
    counter('mailport_messages_accepted_total', 'Messages accepted since start.', registry.messagesAccepted),
    counter('mailport_message_bytes_total', 'Bytes of messages accepted since start.', registry.messageBytes),
    gauge('mailport_stored_message_bytes', 'Bytes of raw messages currently stored.', stats.messageBytes),
    gauge('mailport_sessions', 'SMTP sessions currently stored.', stats.sessions),
    counter('mailport_sessions_opened_total', 'SMTP sessions opened since start.', registry.sessionsOpened),
    counter('mailport_sessions_closed_total', 'SMTP sessions closed since start.', registry.sessionsClosed),
    gauge('mailport_open_connections', 'SMTP connections open now.', registry.openConnections),
    gauge('mailport_store_bytes', 'Bytes the store occupies on disk (0 when unknown).', stats.storeBytes),
    {
      name: 'mailport_rejects_total',
      type: 'counter',
      help: 'SMTP 4xx and 5xx replies sent, by reply code.',
      samples: [...registry.repliesByCode]
        .sort(([a], [b]) => a - b)
        .map(([code, value]) => ({ labels: { code: String(code) }, value })),
    },
    {
      name: 'mailport_diagnostics_total',
      type: 'counter',
      help: 'Session diagnostics recorded, by diagnostic code.',
      samples: [...registry.diagnosticsByCode]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, value]) => ({ labels: { code }, value })),
    },
    {
      name: 'mailport_webhook_deliveries_total',
      type: 'counter',
      help: 'Webhook deliveries by outcome: delivered, failed (after its retries) or dropped (queue full).',
      samples: [...registry.webhookOutcomes]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
    {
      name: 'mailport_oauth_token_requests_total',
      type: 'counter',
      help: 'Requests to the OAuth token endpoint (POST /oauth2/token) by outcome: issued, or the RFC 6749 error code.',
      samples: [...registry.tokenRequestOutcomes]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, value]) => ({ labels: { outcome }, value })),
    },
  ];
  return `${metrics.map(renderMetric).join('\n')}\n`;
}

function gauge(name: string, help: string, value: number): Metric {
  return { name, type: 'gauge', help, samples: [{ value }] };
}

function counter(name: string, help: string, value: number): Metric {
  return { name, type: 'counter', help, samples: [{ value }] };
}

function renderMetric(metric: Metric): string {
  const lines = [`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`];
  for (const sample of metric.samples)
    lines.push(`${metric.name}${renderLabels(sample.labels)} ${sample.value}`);
  return lines.join('\n');
}

function renderLabels(labels: Record<string, string> | undefined): string {
  if (labels === undefined) return '';
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return `{${pairs.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
