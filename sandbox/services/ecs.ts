import { randomBytes } from 'node:crypto';
import type {
  Attachment,
  ContainerDefinition,
  CreateClusterRequest,
  DescribeTaskDefinitionRequest,
  DescribeTasksRequest,
  RegisterTaskDefinitionRequest,
  RunTaskRequest,
  StopTaskRequest,
  Task,
  TaskDefinition,
  TaskOverride,
} from '@aws-sdk/client-ecs';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';

/** One task as the sandbox keeps it: what DescribeTasks answers, stopped or not. */
interface TaskState {
  readonly arn: string;
  readonly id: string;
  readonly definition: TaskDefinition;
  readonly launchType: NonNullable<RunTaskRequest['launchType']>;
  readonly group: string;
  readonly startedBy?: string;
  readonly overrides: TaskOverride;
  readonly attachments: Attachment[];
  /** The id of each container, in the task definition's order. */
  readonly containerIds: string[];
  readonly createdAt: Date;
  lastStatus: 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  stoppedReason?: string;
  stoppingAt?: Date;
  stoppedAt?: Date;
  version: number;
}

interface ClusterState {
  readonly arn: string;
  readonly name: string;
  readonly tasks: Map<string, TaskState>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.');
const invalid = (message: string) => new AwsError('InvalidParameterException', message);

/**
 * The sandbox's Amazon ECS (JSON 1.1, read and written from the SDK's model): clusters, task
 * definitions, and tasks run, described and stopped. A task runs as soon as it is started (real
 * tasks go through PROVISIONING and PENDING) and, once StopTask answered, is STOPPED. Behaviour
 * from the API reference: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
 */
export class EcsService extends ModelService {
  readonly signingNames = ['ecs'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-ecs', 'ECSClient');
  /** Clusters by `<account>/<region>/<name>`. */
  private readonly clusters = new Map<string, ClusterState>();
  /** Task definition revisions by `<account>/<region>/<family>`, revision 1 first. */
  private readonly definitions = new Map<string, TaskDefinition[]>();

  protected readonly operations: Record<string, OperationHandler> = {
    CreateCluster: (req, input: CreateClusterRequest) => {
      const name = input.clusterName ?? 'default';
      const key = `${req.accountId}/${req.region}/${name}`;
      let cluster = this.clusters.get(key);
      if (!cluster) {
        cluster = { arn: `${prefix(req)}cluster/${name}`, name, tasks: new Map() };
        this.clusters.set(key, cluster);
      }
      return { cluster: { clusterArn: cluster.arn, clusterName: name, status: 'ACTIVE' } };
    },

    RegisterTaskDefinition: (
      req,
      input: WithRequired<RegisterTaskDefinitionRequest, 'family' | 'containerDefinitions'>,
    ) => {
      const key = `${req.accountId}/${req.region}/${input.family}`;
      const revisions = this.definitions.get(key) ?? [];
      const revision = revisions.length + 1;
      const { tags: _tags, ...definition } = input;
      const registered: TaskDefinition = {
        ...definition,
        taskDefinitionArn: `${prefix(req)}task-definition/${input.family}:${revision}`,
        revision,
        status: 'ACTIVE',
        registeredAt: new Date(),
      };
      revisions.push(registered);
      this.definitions.set(key, revisions);
      return { taskDefinition: registered };
    },

    DescribeTaskDefinition: (req, input: WithRequired<DescribeTaskDefinitionRequest, 'taskDefinition'>) => ({
      taskDefinition: this.definition(req, input.taskDefinition),
    }),

    RunTask: (req, input: WithRequired<RunTaskRequest, 'taskDefinition'>) => {
      const cluster = this.cluster(req, input.cluster);
      const definition = this.definition(req, input.taskDefinition);
      const awsvpc = definition.networkMode === 'awsvpc';
      const subnet = input.networkConfiguration?.awsvpcConfiguration?.subnets?.[0];
      if (awsvpc && !subnet)
        throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
      const tasks = Array.from({ length: input.count ?? 1 }, () => {
        const id = hex(16);
        const task: TaskState = {
          arn: `${prefix(req)}task/${cluster.name}/${id}`,
          id,
          definition,
          launchType: input.launchType ?? 'FARGATE',
          group: input.group ?? `family:${definition.family}`,
          ...(input.startedBy && { startedBy: input.startedBy }),
          overrides: input.overrides ?? {},
          attachments: awsvpc ? [networkAttachment(subnet as string)] : [],
          containerIds: (definition.containerDefinitions ?? []).map(() => hex(16)),
          createdAt: new Date(),
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          version: 1,
        };
        cluster.tasks.set(id, task);
        return taskView(cluster, task);
      });
      return { tasks, failures: [] };
    },

    // An unknown task is a failure (reason MISSING), not an error.
    DescribeTasks: (req, input: WithRequired<DescribeTasksRequest, 'tasks'>) => {
      const cluster = this.cluster(req, input.cluster);
      if (input.tasks.length === 0) throw invalid('Tasks cannot be empty.');
      const tasks: Task[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of input.tasks) {
        const task = cluster.tasks.get(taskId(ref));
        if (task) tasks.push(taskView(cluster, task));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { tasks, failures };
    },

    // The answer shows the task as ECS has it when the stop is asked for (still RUNNING, desired
    // STOPPED); the sandbox's task is STOPPED at once afterwards.
    StopTask: (req, input: WithRequired<StopTaskRequest, 'task'>) => {
      const cluster = this.cluster(req, input.cluster);
      const task = cluster.tasks.get(taskId(input.task));
      if (!task) throw invalid('The referenced task was not found.');
      if (task.desiredStatus !== 'STOPPED') {
        task.desiredStatus = 'STOPPED';
        task.stoppedReason = input.reason ?? 'Task stopped by user';
        task.stoppingAt = new Date();
        task.version += 1;
      }
      const answer = taskView(cluster, task);
      task.lastStatus = 'STOPPED';
      task.stoppedAt ??= new Date();
      return { task: answer };
    },
  };

  /** The tasks of a cluster as DescribeTasks shows them, for tests. */
  tasksOf(accountId: string, region: string, clusterName: string): Task[] {
    const cluster = this.clusters.get(`${accountId}/${region}/${clusterName}`);
    return cluster ? [...cluster.tasks.values()].map((task) => taskView(cluster, task)) : [];
  }

  /** A cluster by name or ARN (`default` when none is named). */
  private cluster(req: SandboxRequest, ref = 'default'): ClusterState {
    const name = ref.startsWith('arn:') ? ref.slice(ref.indexOf(':cluster/') + ':cluster/'.length) : ref;
    if (ref.startsWith('arn:') && !ref.startsWith(`${prefix(req)}cluster/`)) throw clusterNotFound();
    const cluster = this.clusters.get(`${req.accountId}/${req.region}/${name}`);
    if (!cluster) throw clusterNotFound();
    return cluster;
  }

  /** A task definition by `family`, `family:revision` or ARN; the latest ACTIVE revision for a family. */
  private definition(req: SandboxRequest, ref: string): TaskDefinition {
    const named = ref.startsWith('arn:') ? ref.slice(ref.indexOf(':task-definition/') + 17) : ref;
    const [family = '', revision] = named.split(':');
    const revisions = this.definitions.get(`${req.accountId}/${req.region}/${family}`) ?? [];
    const found = revision === undefined ? revisions.at(-1) : revisions[Number(revision) - 1];
    if (!found || (ref.startsWith('arn:') && found.taskDefinitionArn !== ref))
      throw new AwsError('ClientException', 'Unable to describe task definition.');
    return found;
  }
}

const prefix = (req: SandboxRequest) => `arn:aws:ecs:${req.region}:${req.accountId}:`;

/** A task's id: the last part of its ARN (`task/<cluster>/<id>` or `task/<id>`), or the id itself. */
const taskId = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** The elastic network interface an awsvpc task is given, as its attachment names it. */
function networkAttachment(subnetId: string): Attachment {
  const eni = `eni-${hex(9).slice(0, 17)}`;
  const octet = () => Math.floor(Math.random() * 250) + 2;
  return {
    id: `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
    type: 'ElasticNetworkInterface',
    status: 'ATTACHED',
    details: [
      { name: 'subnetId', value: subnetId },
      { name: 'networkInterfaceId', value: eni },
      { name: 'macAddress', value: '0a:1b:2c:3d:4e:5f' },
      { name: 'privateIPv4Address', value: `10.0.${octet()}.${octet()}` },
    ],
  };
}

/** The task as DescribeTasks, RunTask and StopTask answer it. */
function taskView(cluster: ClusterState, task: TaskState): Task {
  const containers = (task.definition.containerDefinitions ?? []).map((c: ContainerDefinition, i) => ({
    containerArn: `${task.arn.replace(':task/', ':container/')}/${task.containerIds[i]}`,
    taskArn: task.arn,
    name: c.name,
    image: c.image,
    lastStatus: task.lastStatus,
  }));
  return {
    taskArn: task.arn,
    clusterArn: cluster.arn,
    taskDefinitionArn: task.definition.taskDefinitionArn,
    launchType: task.launchType,
    group: task.group,
    ...(task.startedBy && { startedBy: task.startedBy }),
    overrides: task.overrides,
    attachments: task.attachments,
    containers,
    createdAt: task.createdAt,
    startedAt: task.createdAt,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    version: task.version,
    ...(task.stoppedReason && { stoppedReason: task.stoppedReason, stopCode: 'UserInitiated' as const }),
    ...(task.stoppingAt && { stoppingAt: task.stoppingAt }),
    ...(task.stoppedAt && { stoppedAt: task.stoppedAt }),
  };
}
