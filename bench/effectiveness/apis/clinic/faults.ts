/** The seeded faults of the clinic API: each one a realistic bug, switched on alone. */

export const FAULTS = {
  'email-format-unchecked': 'POST /patients accepts an email that is not an email address (only its length is checked)',
  'duration-range-unchecked': 'POST /appointments accepts any integer durationMinutes (0, 7, 600): minimum, maximum and multipleOf are not enforced',
  'patient-no-location': 'POST /patients answers 201 without the documented Location header',
  'patient-phone-omitted': 'patients without a phone are serialized without "phone" instead of "phone": null (required, nullable)',
  'appointment-created-at-locale': 'appointments carry createdAt as Date.toString() ("Tue Mar 04 2025 09:00:00 GMT+0000 …"), not an ISO date-time',
  'duplicate-email-allowed': 'POST /patients registers a second patient with an email already taken (201 instead of 409)',
  'cancel-twice-allowed': 'cancelling an appointment that is already cancelled or completed answers 200 (and overwrites the reason) instead of 409',
  'delete-patient-with-appointments': 'DELETE /patients/{patientId} removes a patient who has scheduled appointments (204 instead of 409), orphaning them',
  'patch-clears-phone': 'PATCH /patients/{patientId} without "phone" erases the stored phone number',
  'status-filter-ignored': 'GET /appointments?status= returns appointments of every status',
  'page-overlap': 'GET /patients?page=N (N > 1) starts one item early: the last patient of the previous page is repeated',
  'unknown-patient-500': 'POST /appointments with a patientId of no patient answers 500 (null dereference) instead of 422',
  'cancel-auth-ignored': 'POST /appointments/{appointmentId}/cancel does not check the API key',
  'appointment-404-html': "GET /appointments/{appointmentId} of an unknown id falls through to Express's default HTML 404 page instead of the JSON error",
} as const;

export type FaultName = keyof typeof FAULTS;
