import { nodeBundle } from '../../tools/node-bundle.ts';

// The suites' CLI on the host; the smoke test's follower, the upgrade check's writer and the alert check's
// receivers, which run in containers.
export default nodeBundle({
  verify: 'src/cli.ts',
  smoke: 'smoke/follow.ts',
  writer: 'writer/writer.ts',
  'alert-receivers': 'alert-receivers/receivers.ts',
});
