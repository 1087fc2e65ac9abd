import { bookstore } from './bookstore/api';
import { clinic } from './clinic/api';
import { tracker } from './tracker/api';
import type { BenchApi } from './types';

/** The effectiveness bench's sample APIs, in the order it runs them. */
export const BENCH_APIS: readonly BenchApi[] = [bookstore, clinic, tracker];

export type { BenchApi, RunningApi } from './types';
