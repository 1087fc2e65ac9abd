/**
 * How a running suite talks to the recording proxy (lib/execution/proxy.ts): the header naming the
 * test that sent a request, the header marking a refused one, the one marking a clean-up request, and the path that forwards a request
 * meant for another origin. Jest's fetch shim (jest/test-tagging.ts) and the pytest plugin
 * (pytest/testloom_pytest_plugin.py, which repeats the values) speak it.
 */
export const TEST_HEADER = 'x-testloom-test';
export const REFUSED_HEADER = 'x-testloom-refused';
/** Sent by the generated helpers on the requests that delete what a test created, after the test. */
export const CLEANUP_HEADER = 'x-testloom-cleanup';
export const FORWARD_PREFIX = '/__testloom/forward/';
