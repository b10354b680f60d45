import { SampleStore } from './sample-store.ts';

/** The one sample store of this thread (a worker's VUs, or the controller's own samples). */
export const threadStore = new SampleStore();
