import { nodeBundle } from '../../tools/node-bundle.ts';

// The CLI on the host, and the driver it runs inside a web container (web-driver/driver.ts).
export default nodeBundle({ env: 'src/cli.ts', 'web-driver': 'web-driver/driver.ts' });
