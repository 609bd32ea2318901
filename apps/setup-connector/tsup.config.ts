import { nodeBundle } from '../../tools/node-bundle.ts';

export default nodeBundle({ main: 'src/main.ts' }, { banner: '#!/usr/bin/env node' });
