// `node --import` this to have the process print every ES module URL it resolved, as one
// `MODULES <json array>` line on stderr at exit (module.register, a resolve hook).
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const resolved = [];
port1.on('message', (url) => resolved.push(url));
port1.unref();
const hook = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, {
  data: { port: port2 },
  transferList: [port2],
});
process.on('exit', () => process.stderr.write(`MODULES ${JSON.stringify(resolved)}\n`));
