import { nodeBundle } from '../../tools/node-bundle.ts';

// The suites' CLI on the host; the smoke test's follower and the upgrade check's writer, which run in containers.
export default nodeBundle({ verify: 'src/cli.ts', smoke: 'smoke/follow.ts', writer: 'writer/writer.ts' });
