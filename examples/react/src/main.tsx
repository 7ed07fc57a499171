/// <reference types="vite/client" />
import cube from '@cubejs-client/core';
import { createRoot } from 'react-dom/client';
import { FunnelChart } from './FunnelChart.tsx';

// A token signed with CUBEJS_API_SECRET by your auth service; see examples/react/README.md.
const env = import.meta.env as Record<string, string | undefined>;
const cubeApi = cube(env.VITE_CUBE_TOKEN ?? '', { apiUrl: env.VITE_CUBE_API_URL ?? 'http://localhost:4000/cubejs-api/v1' });

createRoot(document.getElementById('root')!).render(<FunnelChart cubeApi={cubeApi} cohorts={Number(env.VITE_COHORTS ?? 14)} />);
