export { MalformedEvent, parseChangeEvent } from './parse.ts';
export { Projector, type Counters, type DeadLetter, type DeadLetterSink, type Message } from './projector.ts';
