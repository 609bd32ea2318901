import { nodeBundle } from '../../tools/node-bundle.ts';

export default nodeBundle({ env: 'src/cli.ts' });
