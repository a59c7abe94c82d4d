import { writeFileSync } from 'node:fs';
import { credentials, startClientTargets } from './test/explain/client-targets.ts';
import { LANGUAGE_CLIENTS, prepareLanguageClients } from './test/helpers/language-clients.ts';

const [targets, clients] = await Promise.all([startClientTargets(), prepareLanguageClients()]);
const auth = { MP_USER: credentials.user, MP_PASS: credentials.pass };
const scen = {
  greets250: { server: targets.greets250.port, env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' } },
  sinkAuth: { server: targets.sink.port, env: { MP_TLS: 'none', MP_HOST: '127.0.0.1', ...auth } },
  heloOnly: { server: targets.heloOnly.port, env: { MP_TLS: 'none', MP_HOST: '127.0.0.1', ...auth } },
  plainAfterStarttls: {
    server: targets.plaintextAfterStarttls.port,
    env: { MP_TLS: 'starttls', MP_HOST: '127.0.0.1' },
  },
};
for (const [name, s] of Object.entries(scen)) {
  await Promise.all(
    LANGUAGE_CLIENTS.map(async (client) => {
      const out = await clients.run(client, { ...s.env, MP_PORT: String(s.server) });
      writeFileSync(`/tmp/scratch/lc/${name}.${client}.txt`, out);
    }),
  );
}
await Promise.all([targets.close(), clients.close()]);
