export { MalformedEvent, parseChangeEvent } from './parse.ts';
export { Projector, type Counters, type Message } from './projector.ts';
