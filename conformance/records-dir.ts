/* records-dir - where the recorded real-stack files live: conformance/records (provenance in its README.md) */
import { join } from 'node:path';

export const RECORDS_DIR = join(import.meta.dirname, 'records');
