import { nodeBundle } from '../../tools/node-bundle.ts';

export default nodeBundle({ smoke: 'src/smoke.ts' });
