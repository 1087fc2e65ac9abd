import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { otherMethods, serve, type BenchApi } from '../types';
import { FAULTS, type FaultName } from './faults';
import {
  createValidators, parseDateTime, PATIENT_ID, UUID,
  type APPOINTMENT_STATUSES, type CANCELLATION_REASONS, type NewAppointment, type NewPatient,
} from './validation';

/** The clinic of spec.yaml, in memory, served under its `/api` base path; one seeded fault at most. */

export const CLINIC_API_KEY = 'bench-clinic-key';

interface Patient extends Required<Omit<NewPatient, 'phone'>> {
  id: string;
  phone: string | null;
  createdAt: Date;
}

interface Appointment extends Omit<NewAppointment, 'startsAt'> {
  id: string;
  startsAt: number;
  status: (typeof APPOINTMENT_STATUSES)[number];
  cancellationReason?: (typeof CANCELLATION_REASONS)[number];
  createdAt: Date;
}

const CREATED = new Date('2025-01-06T08:00:00Z');
const at = (iso: string) => Date.parse(iso);
/** What an RFC 3339 date-time can express in UTC. */
const FIRST_INSTANT = at('0000-01-01T00:00:00Z');
const LAST_INSTANT = at('9999-12-31T23:59:59.999Z');

/** A few patients (two without a phone, two Nguyens) and appointments in every status. */
function seed(): { patients: Patient[]; appointments: Appointment[] } {
  const patient = (n: number, firstName: string, lastName: string, birthDate: string, phone: string | null): Patient =>
    ({ id: `PAT-${100000 + n}`, firstName, lastName, email: `${firstName}.${lastName}@example.org`.toLowerCase(), birthDate, phone, createdAt: CREATED });
  const patients = [
    patient(1, 'Amira', 'Haddad', '1984-02-29', '+4915112345678'),
    patient(2, 'Liam', 'Nguyen', '2011-07-15', null),
    patient(3, 'Sofia', 'Nguyen', '1979-11-02', '+33612345678'),
    patient(4, 'Jonas', 'Berg', '1995-05-21', null),
    patient(5, 'Grace', 'Okafor', '1962-09-09', '+447700900123'),
  ];
  const appointment = (n: number, patientId: string, startsAt: string, type: Appointment['type'], status: Appointment['status']): Appointment => ({
    id: `7d1c0f4e-5b2a-4c3e-9f00-00000000000${n}`, patientId, startsAt: at(startsAt), durationMinutes: 30, type, status, createdAt: CREATED,
    ...(status === 'cancelled' ? { cancellationReason: 'patient-request' as const } : {}),
  });
  const appointments = [
    appointment(1, 'PAT-100001', '2031-03-03T09:00:00Z', 'consultation', 'scheduled'),
    appointment(2, 'PAT-100001', '2025-01-10T14:30:00Z', 'check-up', 'completed'),
    appointment(3, 'PAT-100002', '2031-03-04T10:00:00Z', 'vaccination', 'cancelled'),
    appointment(4, 'PAT-100003', '2031-03-05T11:15:00Z', 'follow-up', 'scheduled'),
  ];
  return { patients, appointments };
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const invalid = (message: string) => new HttpError(400, 'invalid_request', message);
const notFound = (what: string) => new HttpError(404, 'not_found', `no ${what}`);
const CODES: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict', 422: 'unprocessable' };

function sendError(res: Response, status: number, message: string): void {
  res.status(status).json({ code: CODES[status] ?? 'internal_error', message });
}

/** The page of `items` the query asks for, with its numbers. */
function pageOf<T>(items: T[], query: { page?: number; pageSize?: number }, overlap: boolean) {
  const { page = 1, pageSize = 20 } = query;
  const start = (page - 1) * pageSize - (overlap && page > 1 ? 1 : 0);
  return { items: items.slice(start, start + pageSize), page, pageSize, total: items.length };
}

export function createClinicApp(fault?: FaultName): express.Express {
  const data = seed();
  const patients = new Map(data.patients.map((p) => [p.id, p]));
  const appointments = new Map(data.appointments.map((a) => [a.id, a]));
  let nextPatient = 100000 + patients.size + 1;
  const validate = createValidators(fault);
  const has = (name: FaultName) => fault === name;

  const auth = (req: Request, _res: Response, next: NextFunction) => {
    if (req.get('x-api-key') !== CLINIC_API_KEY) throw new HttpError(401, 'unauthorized', 'a valid X-API-Key header is required');
    next();
  };
  const checked = <T>(result: { ok: true; value: T } | { ok: false; message: string }): T => {
    if (!result.ok) throw invalid(result.message);
    return result.value;
  };
  const patientById = (id: string): Patient => {
    if (!PATIENT_ID.test(id)) throw invalid('patientId must look like PAT-123456');
    const patient = patients.get(id);
    if (!patient) throw notFound(`patient ${id}`);
    return patient;
  };
  const appointmentId = (id: string): string => {
    if (!UUID.test(id)) throw invalid('appointmentId must be a UUID');
    return id.toLowerCase();
  };
  const appointmentById = (id: string): Appointment => {
    const appointment = appointments.get(appointmentId(id));
    if (!appointment) throw notFound(`appointment ${id}`);
    return appointment;
  };
  const emailTaken = (email: string, except?: string) =>
    [...patients.values()].some((p) => p.id !== except && p.email.toLowerCase() === email.toLowerCase());
  const scheduled = (patientId: string) => [...appointments.values()].filter((a) => a.patientId === patientId && a.status === 'scheduled');

  const patientView = (p: Patient) => {
    const view = { ...p, createdAt: p.createdAt.toISOString() };
    return has('patient-phone-omitted') && p.phone === null ? { ...view, phone: undefined } : view;
  };
  const appointmentView = (a: Appointment) => ({
    ...a,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: new Date(a.startsAt + a.durationMinutes * 60_000).toISOString(),
    createdAt: has('appointment-created-at-locale') ? a.createdAt.toString() : a.createdAt.toISOString(),
  });

  const router = express.Router();
  router.route('/patients')
    .get(auth, (req, res) => {
      const query = checked(validate.patientQuery(req.query));
      const matching = [...patients.values()]
        .filter((p) => query.lastName === undefined || p.lastName.toLowerCase() === query.lastName.toLowerCase())
        .sort((a, b) => a.lastName.localeCompare(b.lastName) || a.id.localeCompare(b.id));
      const page = pageOf(matching, query, has('page-overlap'));
      res.json({ ...page, items: page.items.map(patientView) });
    })
    .post(auth, (req, res) => {
      const body = checked(validate.newPatient(req.body));
      if (!has('duplicate-email-allowed') && emailTaken(body.email)) throw new HttpError(409, 'conflict', `a patient with email ${body.email} exists`);
      const patient: Patient = { id: `PAT-${nextPatient++}`, ...body, phone: body.phone ?? null, createdAt: new Date() };
      patients.set(patient.id, patient);
      if (!has('patient-no-location')) res.location(`${req.baseUrl}/patients/${patient.id}`);
      res.status(201).json(patientView(patient));
    })
    .all(otherMethods(['GET', 'POST'], sendError));

  router.route('/patients/:patientId')
    .get(auth, (req, res) => {
      res.json(patientView(patientById(req.params.patientId)));
    })
    .patch(auth, (req, res) => {
      const patient = patientById(req.params.patientId);
      const body = checked(validate.patientUpdate(req.body));
      if (body.email !== undefined && emailTaken(body.email, patient.id)) throw new HttpError(409, 'conflict', `a patient with email ${body.email} exists`);
      const phone = body.phone !== undefined || has('patch-clears-phone') ? body.phone ?? null : patient.phone;
      const updated: Patient = { ...patient, ...body, phone };
      patients.set(patient.id, updated);
      res.json(patientView(updated));
    })
    .delete(auth, (req, res) => {
      const patient = patientById(req.params.patientId);
      const pending = scheduled(patient.id);
      if (pending.length && !has('delete-patient-with-appointments')) {
        throw new HttpError(409, 'conflict', `patient ${patient.id} has ${pending.length} scheduled appointment(s)`);
      }
      patients.delete(patient.id);
      res.status(204).end();
    })
    .all(otherMethods(['GET', 'PATCH', 'DELETE'], sendError));

  router.route('/appointments')
    .get(auth, (req, res) => {
      const query = checked(validate.appointmentQuery(req.query));
      const day = (a: Appointment) => new Date(a.startsAt).toISOString().slice(0, 10);
      const matching = [...appointments.values()]
        .filter((a) => query.patientId === undefined || a.patientId === query.patientId)
        .filter((a) => query.status === undefined || a.status === query.status || has('status-filter-ignored'))
        .filter((a) => (query.from === undefined || day(a) >= query.from) && (query.to === undefined || day(a) <= query.to))
        .sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
      const page = pageOf(matching, query, false);
      res.json({ ...page, items: page.items.map(appointmentView) });
    })
    .post(auth, (req, res) => {
      const body = checked(validate.newAppointment(req.body));
      const patient = patients.get(body.patientId);
      if (!patient && has('unknown-patient-500')) throw new Error(`Cannot read properties of undefined (reading 'id')`);
      if (!patient) throw new HttpError(422, 'unprocessable', `no patient ${body.patientId}`);
      const startsAt = parseDateTime(body.startsAt);
      const endsAt = startsAt + body.durationMinutes * 60_000;
      if (startsAt < FIRST_INSTANT || endsAt > LAST_INSTANT) throw new HttpError(422, 'unprocessable', 'the appointment must lie within the years 0000 to 9999 (UTC)');
      const clash = scheduled(patient.id).find((a) => a.startsAt < endsAt && startsAt < a.startsAt + a.durationMinutes * 60_000);
      if (clash) throw new HttpError(409, 'conflict', `patient ${patient.id} has appointment ${clash.id} at that time`);
      const appointment: Appointment = { id: randomUUID(), ...body, startsAt, status: 'scheduled', createdAt: new Date() };
      appointments.set(appointment.id, appointment);
      res.location(`${req.baseUrl}/appointments/${appointment.id}`);
      res.status(201).json(appointmentView(appointment));
    })
    .all(otherMethods(['GET', 'POST'], sendError));

  router.route('/appointments/:appointmentId')
    .get(auth, (req, res) => {
      const appointment = appointments.get(appointmentId(req.params.appointmentId));
      if (!appointment && has('appointment-404-html')) {
        const where = path.posix.join(req.baseUrl, req.path);
        res.status(404).type('html').send(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET ${where}</pre>\n</body>\n</html>\n`);
        return;
      }
      res.json(appointmentView(appointmentById(req.params.appointmentId)));
    })
    .all(otherMethods(['GET'], sendError));

  const cancelAuth = has('cancel-auth-ignored') ? (_req: Request, _res: Response, next: NextFunction) => next() : auth;
  router.route('/appointments/:appointmentId/cancel')
    .post(cancelAuth, (req, res) => {
      const appointment = appointmentById(req.params.appointmentId);
      const { reason } = checked(validate.cancellation(req.body));
      if (appointment.status !== 'scheduled' && !has('cancel-twice-allowed')) {
        throw new HttpError(409, 'conflict', `appointment ${appointment.id} is ${appointment.status}`);
      }
      appointment.status = 'cancelled';
      appointment.cancellationReason = reason;
      res.json(appointmentView(appointment));
    })
    .all(otherMethods(['POST'], sendError));

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use('/api', router);
  app.use((req, res) => sendError(res, 404, `no route ${req.method} ${req.path}`));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return sendError(res, err.status, err.message);
    // body-parser's own errors (malformed JSON, unsupported charset…): the request is invalid.
    if (err.type && err.status && err.status < 500) return sendError(res, 400, err.message);
    sendError(res, 500, err.message);
  });
  return app;
}

export const clinic: BenchApi = {
  name: 'clinic',
  title: 'Clinic appointments',
  specPath: path.join(__dirname, 'spec.yaml'),
  faults: FAULTS,
  auth: { scheme: 'ApiKey', credential: CLINIC_API_KEY, header: 'X-API-Key', value: CLINIC_API_KEY },
  schemathesisConfig: path.join(__dirname, 'schemathesis.toml'),
  start: (fault) => serve(createClinicApp(fault as FaultName | undefined), '/api'),
};
