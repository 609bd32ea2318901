export { type Properties, differences, parseProperties } from './properties.ts';
export {
  CONNECT_IMAGE_ENV,
  CONTAINER_ADDRESS,
  type Env,
  KAFKA_DEFAULT_LOG_DIR,
  KAFKA_TOOL_ENV,
  KAFKA_DEFAULT_WORKER,
  KAFKA_SECRETS_DIR,
  type SecretReader,
  jmxFlagsOf,
  kafkaJmxFlags,
  connectKey,
  connectWorkerProperties,
  kafkaKey,
  kafkaServerProperties,
} from './rules.ts';
export { connectNeeds, kafkaNeeds } from './needs.ts';
