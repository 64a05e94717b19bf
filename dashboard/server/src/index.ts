// The dashboard server arrives with issue 4 (docs/dashboard.md).
export { topics } from '@gatewatch/shared';
