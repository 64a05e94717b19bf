// The dashboard arrives with issue 4. Until then this package only proves that it can
// consume the shared contract the edge writes to.
import { MEASUREMENTS, topics } from '@gatewatch/shared';

export const liveTopics = (): string => topics.allLive();
export const measurements = MEASUREMENTS;
