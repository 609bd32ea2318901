import { nodeBundle } from '../../tools/node-bundle.ts';

export default nodeBundle({ main: 'src/main.ts' });
