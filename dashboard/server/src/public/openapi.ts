/** The OpenAPI 3.1 document of the public API (`GET /api/v1/openapi.json`), schemas after shared/src/dashboard.ts. */
import type { DashboardConfig } from '../config/types.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string) => ({ type: [type, 'null'] });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('ApiError'), description);
const common = {
  '400': error('A parameter is missing or invalid; the message names it and its value.'),
  '429': { ...error('Too many requests from this address.'), headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } },
};
/** Answers read from the history database: it may be away for a while. */
const history = { ...common, '502': error('The history database did not answer; try again later (code INFLUX_UNAVAILABLE).') };

export function openApiDocument(config: DashboardConfig): object {
  const checkpointParam = {
    name: 'checkpoint',
    in: 'query',
    required: true,
    description: 'A checkpoint id (see /api/v1/checkpoints).',
    schema: { type: 'string', enum: config.checkpoints.map((c) => c.id) },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'GateWatch public API',
      version: '1.0.0',
      description:
        'Expected waits at the border crossings of the Lao Cai – Hai Phong corridor, for logistics firms. No sign-in; ' +
        'each client address may make a limited number of requests a minute (429 with Retry-After beyond). Times are ISO 8601 in UTC; ' +
        'local time at every crossing is Asia/Ho_Chi_Minh (UTC+7). Aggregates and estimates only.',
    },
    servers: [{ url: '/api/v1' }],
    paths: {
      '/checkpoints': {
        get: { summary: 'The checkpoints in corridor order, with their lanes', responses: { '200': json({ type: 'array', items: ref('CheckpointInfo') }, 'Checkpoints'), '429': common['429'] } },
      },
      '/wait-estimates': {
        get: {
          summary: 'Expected wait now, per checkpoint and direction',
          responses: { '200': json({ type: 'array', items: ref('WaitEstimate') }, 'Estimates'), '429': common['429'] },
        },
      },
      '/wait-estimates/trend': {
        get: {
          summary: 'Expected wait and queue length per minute over the last hours',
          parameters: [checkpointParam, { name: 'hours', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 24, default: 2 } }],
          responses: { '200': json({ type: 'array', items: ref('WaitPoint') }, 'One point per minute and direction, oldest first'), ...history },
        },
      },
      '/wait-estimates/typical': {
        get: {
          summary: 'Typical wait by local hour of day over the last weeks (median and 90th percentile over the days)',
          parameters: [checkpointParam, { name: 'weeks', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 8, default: 4 } }],
          responses: { '200': json({ type: 'array', items: ref('TypicalWait') }, 'One profile per direction'), ...history },
        },
      },
    },
    components: {
      schemas: {
        LocalText: { type: 'object', required: ['vi', 'en'], properties: { vi: { type: 'string' }, en: { type: 'string' } } },
        Direction: { type: 'string', enum: ['inbound', 'outbound'] },
        OpeningHours: {
          type: 'array',
          description: 'Local opening hours (Asia/Ho_Chi_Minh, UTC+7): each rule on its weekdays (1 = Monday … 7 = Sunday; every day when absent) from open to close; a close at or before the open runs past midnight',
          items: {
            type: 'object',
            required: ['open', 'close'],
            properties: {
              days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 } },
              open: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
              close: { type: 'string', pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$' },
            },
          },
        },
        CheckpointInfo: {
          type: 'object',
          required: ['id', 'name', 'kind', 'region', 'order', 'lanes', 'congestion', 'queueIntervalS', 'deviceIntervalS', 'laneOpenMinutes'],
          properties: {
            id: { type: 'string' },
            name: ref('LocalText'),
            kind: { type: 'string', enum: ['road', 'rail', 'port'] },
            region: { type: 'string' },
            order: { type: 'integer', description: 'Position along the corridor, Lao Cai = 0' },
            lanes: {
              type: 'array',
              items: { type: 'object', required: ['id', 'direction'], properties: { id: { type: 'string' }, direction: ref('Direction'), hours: { ...ref('OpeningHours'), description: "The lane's own hours, when not the crossing's" } } },
            },
            hours: { ...ref('OpeningHours'), description: 'Absent: round the clock (or, without hours, a lane is open while a unit passed within laneOpenMinutes)' },
            queueIntervalS: { type: 'number', description: 'Seconds between queue records of a lane: a figure older than three is stale' },
            deviceIntervalS: { type: 'number' },
            laneOpenMinutes: { type: 'number' },
            congestion: {
              type: 'object',
              description: 'Expected waits from which a lane or direction reads busy, then congested',
              required: ['busyWaitS', 'congestedWaitS'],
              properties: { busyWaitS: { type: 'number' }, congestedWaitS: { type: 'number' } },
            },
          },
        },
        WaitEstimate: {
          type: 'object',
          required: ['checkpoint', 'direction', 'expectedWaitS', 'queueLength', 'lanesOpen', 'lanesTotal', 'level', 'updatedAt', 'state'],
          properties: {
            checkpoint: { type: 'string' },
            direction: ref('Direction'),
            expectedWaitS: { ...nullable('integer'), description: 'Seconds from joining the queue to the gate; null when no lane is open or nothing is known' },
            queueLength: { type: 'integer', description: 'Units queuing in this direction' },
            lanesOpen: { type: 'integer' },
            lanesTotal: { type: 'integer' },
            level: { type: 'string', enum: ['normal', 'busy', 'congested', 'closed', 'unknown'] },
            updatedAt: { ...nullable('string'), format: 'date-time' },
            state: {
              type: 'string',
              enum: ['open', 'closed', 'stale', 'unknown'],
              description: 'closed: outside its opening hours (opensAt); stale: the figures are ageS seconds old (the crossing stopped reporting), the last known; unknown: nothing known',
            },
            opensAt: { type: 'string', format: 'date-time', description: 'closed: when it opens next' },
            closesAt: { type: 'string', format: 'date-time', description: 'open: when it closes' },
            ageS: { type: 'integer', description: 'stale: seconds since the newest figure' },
          },
        },
        WaitPoint: {
          type: 'object',
          required: ['time', 'direction', 'waitS', 'queueLength'],
          properties: { time: { type: 'string', format: 'date-time' }, direction: ref('Direction'), waitS: nullable('integer'), queueLength: nullable('number') },
        },
        TypicalWait: {
          type: 'object',
          required: ['checkpoint', 'direction', 'medianWaitS', 'p90WaitS', 'weeks'],
          properties: {
            checkpoint: { type: 'string' },
            direction: ref('Direction'),
            medianWaitS: { type: 'array', minItems: 24, maxItems: 24, items: nullable('integer'), description: 'Index = local hour (UTC+7)' },
            p90WaitS: { type: 'array', minItems: 24, maxItems: 24, items: nullable('integer') },
            weeks: { type: 'integer' },
          },
        },
        ApiError: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
    },
  };
}
