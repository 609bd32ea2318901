export { VERSIONS_FILE, imageReference, loadVersionsFile, nodeEngines, nodeMajor, type Versions } from './file.ts';
export { readVersions, repoVersions } from './versions.ts';
export {
  IMAGE_KEYS,
  LEGACY_LABEL,
  LOOKALIKE_LABEL,
  NODE_IMAGE_LABEL,
  mirrors,
  parseReference,
  registryHost,
  thirdPartyImages,
  type ImageKey,
  type Reference,
  type ThirdPartyImage,
} from './images.ts';
