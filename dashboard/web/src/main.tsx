import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DISPLAY_TIME_ZONE } from '@gatewatch/shared';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <p>GateWatch ({DISPLAY_TIME_ZONE})</p>
  </StrictMode>,
);
