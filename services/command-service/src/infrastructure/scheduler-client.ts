// The EventBridge Scheduler client, in a module of its own: a bundle carries it in a file beside
// it (shared/serverless/esbuild-plugins.cjs), read only when an erasure is scheduled.
export {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
