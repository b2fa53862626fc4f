export {
  type Job,
  type JobData,
  type JobName,
  jobDefinitions,
  type Processors,
  type QueueName,
  queueNames,
  toJob,
} from "./definitions.ts";
export { createBullProducer, createInProcessProducer, type EnqueueOptions, type JobProducer } from "./producer.ts";
export { type RunningWorkers, startBullWorkers, type WorkerEvents } from "./worker.ts";
