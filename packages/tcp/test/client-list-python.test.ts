// Interoperability with the seed's client_list.py (its Python 3 port in fixtures/): its client
// joins createClientListServer, and joinClientList joins its server. Plain protocol, IPv4.
import { fileURLToPath } from 'node:url';
import { run, skipUnless, spawnProcess } from '@netkit/testkit';
import { describe, expect, it } from 'vitest';
import { type ClientList, createClientListServer, joinClientList } from '../src/index.js';
import { closeAfterEach } from './helpers.js';

const open = closeAfterEach();
const script = fileURLToPath(new URL('./fixtures/client_list.py', import.meta.url));
const req = skipUnless(['python3']);

/** Runs the Python client; returns what it printed (the list, indented by 4) and the list. */
async function pythonJoin(
  port: number,
  name: string,
): Promise<{ stdout: string; list: ClientList }> {
  const result = await run('python3', [script, '-c', '-n', name, '--port', String(port)], {
    timeout: 10_000,
    check: true,
  });
  return { stdout: result.stdout, list: JSON.parse(result.stdout) as ClientList };
}

describe.skipIf(req.skip)(`the seed's client_list.py${req.note}`, () => {
  it('its client joins createClientListServer', async () => {
    const server = open.server(await createClientListServer());
    const first = await pythonJoin(server.port, 'py-alice');
    expect(first.list).toEqual({
      'py-alice': { name: 'py-alice', address: '127.0.0.1', port: expect.any(Number) },
    });
    // Printed exactly as the seed prints it: json.dumps(result, indent=4).
    expect(first.stdout).toBe(`${JSON.stringify(first.list, null, 4)}\n`);

    await joinClientList({ host: '127.0.0.1', port: server.port, name: 'node-bob' });
    const third = await pythonJoin(server.port, 'py-carol');
    expect(Object.keys(third.list)).toEqual(['py-alice', 'node-bob', 'py-carol']);
    expect(third.list['py-alice']).toEqual(first.list['py-alice']);
    expect(server.clients()).toEqual(third.list);
    expect(server.stats).toMatchObject({ accepted: 3, completed: 3, errors: 0 });
  });

  it('joinClientList joins its server', async () => {
    const python = open.process(spawnProcess('python3', [script, '--port', '0']));
    const listening = await python.waitFor(/Listening on 127\.0\.0\.1:(\d+)/, { stream: 'stdout' });
    const port = Number(listening[1]);

    const first = await joinClientList({ host: '127.0.0.1', port, name: 'node-a' });
    expect(first).toEqual({
      'node-a': { name: 'node-a', address: '127.0.0.1', port: expect.any(Number) },
    });
    const second = await joinClientList({ host: '127.0.0.1', port, name: 'node-b' });
    expect(Object.keys(second)).toEqual(['node-a', 'node-b']);
    // A repeated name replaces its entry in place, as a Python dict does.
    const again = await joinClientList({ host: '127.0.0.1', port, name: 'node-a' });
    expect(Object.keys(again)).toEqual(['node-a', 'node-b']);
    // Its own client sees the same list.
    const { list } = await pythonJoin(port, 'py-d');
    expect(Object.keys(list)).toEqual(['node-a', 'node-b', 'py-d']);
    expect(list['node-a']).toEqual(again['node-a']);
  });
});
