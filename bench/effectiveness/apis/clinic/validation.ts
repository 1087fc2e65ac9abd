import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { integerFromText } from '../types';
import type { FaultName } from './faults';

/**
 * The clinic API's own input rules, written as a developer would for Ajv (not read from spec.yaml:
 * the API is an implementation of the spec, and its validation faults are rules it forgot).
 */

export const APPOINTMENT_TYPES = ['consultation', 'follow-up', 'vaccination', 'check-up'] as const;
export const APPOINTMENT_STATUSES = ['scheduled', 'cancelled', 'completed'] as const;
export const CANCELLATION_REASONS = ['patient-request', 'clinician-unavailable', 'duplicate', 'other'] as const;

export const PATIENT_ID = /^PAT-[0-9]{6}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };

export interface NewPatient {
  firstName: string;
  lastName: string;
  email: string;
  birthDate: string;
  phone?: string;
}

export type PatientUpdate = Partial<Omit<NewPatient, 'birthDate' | 'phone'>> & { phone?: string | null };

export interface NewAppointment {
  patientId: string;
  startsAt: string;
  durationMinutes: number;
  type: (typeof APPOINTMENT_TYPES)[number];
  notes?: string;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

export interface PatientQuery extends PageQuery {
  lastName?: string;
}

export interface AppointmentQuery extends PageQuery {
  patientId?: string;
  status?: (typeof APPOINTMENT_STATUSES)[number];
  from?: string;
  to?: string;
}

const name = { type: 'string', minLength: 1, maxLength: 50 };
const phone = { type: 'string', pattern: /^\+[1-9][0-9]{7,14}$/.source };
const page = { page: { type: 'integer', minimum: 1, maximum: 10000 }, pageSize: { type: 'integer', minimum: 1, maximum: 50 } };

function schemas(fault: FaultName | undefined) {
  const email = fault === 'email-format-unchecked' ? { type: 'string', maxLength: 254 } : { type: 'string', format: 'email', maxLength: 254 };
  const duration = fault === 'duration-range-unchecked' ? { type: 'integer' } : { type: 'integer', minimum: 10, maximum: 120, multipleOf: 5 };
  return {
    newPatient: {
      type: 'object',
      required: ['firstName', 'lastName', 'email', 'birthDate'],
      properties: { firstName: name, lastName: name, email, birthDate: { type: 'string', format: 'date' }, phone },
    },
    patientUpdate: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: { firstName: name, lastName: name, email, phone: { anyOf: [phone, { type: 'null' }] } },
    },
    newAppointment: {
      type: 'object',
      required: ['patientId', 'startsAt', 'durationMinutes', 'type'],
      properties: {
        patientId: { type: 'string', pattern: PATIENT_ID.source },
        startsAt: { type: 'string', format: 'date-time' },
        durationMinutes: duration,
        type: { enum: APPOINTMENT_TYPES },
        notes: { type: 'string', maxLength: 500 },
      },
    },
    cancellation: { type: 'object', required: ['reason'], properties: { reason: { enum: CANCELLATION_REASONS } } },
    patientQuery: { type: 'object', properties: { lastName: name, ...page } },
    appointmentQuery: {
      type: 'object',
      properties: {
        patientId: { type: 'string', pattern: PATIENT_ID.source },
        status: { enum: APPOINTMENT_STATUSES },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        ...page,
      },
    },
  };
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '') || 'body'} ${e.message ?? 'is invalid'}`).join('; ');
}

function checker<T>(validate: ValidateFunction, prepare: (input: unknown) => unknown = (input) => input): (input: unknown) => Validated<T> {
  return (input) => {
    const value = prepare(input);
    return validate(value) ? { ok: true, value: value as T } : { ok: false, message: describeErrors(validate) };
  };
}

/** The query with its page numbers as integers when written as such. */
function pageNumbers(query: unknown): unknown {
  const { page: p, pageSize, ...rest } = query as Record<string, unknown>;
  return { ...rest, ...(p === undefined ? {} : { page: integerFromText(p) }), ...(pageSize === undefined ? {} : { pageSize: integerFromText(pageSize) }) };
}

export function createValidators(fault: FaultName | undefined) {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv, ['email', 'date', 'date-time']);
  const s = schemas(fault);
  return {
    newPatient: checker<NewPatient>(ajv.compile(s.newPatient)),
    patientUpdate: checker<PatientUpdate>(ajv.compile(s.patientUpdate)),
    newAppointment: checker<NewAppointment>(ajv.compile(s.newAppointment)),
    cancellation: checker<{ reason: (typeof CANCELLATION_REASONS)[number] }>(ajv.compile(s.cancellation)),
    patientQuery: checker<PatientQuery>(ajv.compile(s.patientQuery), pageNumbers),
    appointmentQuery: checker<AppointmentQuery>(ajv.compile(s.appointmentQuery), pageNumbers),
  };
}

/** A valid RFC 3339 date-time as epoch milliseconds (V8 refuses leap seconds and a lowercase `t`/`z`). */
export function parseDateTime(text: string): number {
  const upper = text.toUpperCase();
  const leap = /:60(?=[.Z+-])/.test(upper);
  return Date.parse(leap ? upper.replace(/:60(?=[.Z+-])/, ':59') : upper) + (leap ? 1000 : 0);
}
