import { nodeBundle } from '../../tools/node-bundle.ts';

export default nodeBundle({ journey: 'src/journey.ts', main: 'src/main.ts' });
