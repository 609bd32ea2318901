import { nodeBundle } from '../../tools/node-bundle.ts';

// The suites' CLI on the host, and the smoke test's follower, which runs in a container on the smoke network.
export default nodeBundle({ verify: 'src/cli.ts', smoke: 'smoke/follow.ts' });
