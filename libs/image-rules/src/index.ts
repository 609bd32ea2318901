export { type Properties, differences, parseProperties } from './properties.ts';
export {
  CONNECT_IMAGE_ENV,
  CONTAINER_ADDRESS,
  type Env,
  KAFKA_DEFAULT_LOG_DIR,
  KAFKA_TOOL_ENV,
  KAFKA_DEFAULT_WORKER,
  connectKey,
  connectWorkerProperties,
  kafkaKey,
  kafkaServerProperties,
} from './rules.ts';
export { connectNeeds, kafkaNeeds } from './needs.ts';
