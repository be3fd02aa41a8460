/* daemon-limits - each listener of a chain capped the way the daemon it stands for caps it
 *
 * One row per front kind and one for Postfix: the setting's name, its default and what the daemon
 * does with one client more (runtime/socket/listener-limits.ts). The lab's own services (the auth
 * service model) keep the runtime's safety cap: they stand for Mailu's admin container, which sits
 * behind the front and never faces clients.
 */
import type { FrontKind } from '../models/front/index.ts';
import type { ListenerLimits } from './socket/index.ts';

/**
 * Dovecot 2.3/2.4 submission-login at its defaults: login services run one client per process
 * (submission-login-settings.c: service_count = 1, 2.4's restart_request_count = 1), at most
 * default_process_limit = 100 processes (master-settings.c). A proxied client stays in its login
 * process, so 100 sessions at once, logged in or not. At the limit the master stops accepting and
 * asks the login processes to drop their oldest client still logging in (client_destroy_oldest(),
 * "Connection queue full").
 */
const DOVECOT_DEFAULT: ListenerLimits = {
  setting: 'submission-login process_limit = 100 (default_process_limit) × 1 client per process (service_count = 1)',
  maxConnections: 100,
  whenFull: 'make-room',
};

export const FRONT_LISTENER_LIMITS: Readonly<Record<FrontKind, ListenerLimits>> = {
  'dovecot-2.3': DOVECOT_DEFAULT,
  'dovecot-2.4': DOVECOT_DEFAULT,
  // The fixed proxy is Dovecot's login proxy run the way its documentation recommends for load,
  // "high-performance mode": service_count = 0, client_limit = 1000 (default_client_limit) per
  // process, up to process_limit = 100 processes.
  lockstep: {
    setting: 'submission-login high-performance mode: service_count = 0, client_limit = 1000 × process_limit = 100',
    maxConnections: 100_000,
    whenFull: 'make-room',
  },
  // nginx: worker_processes 1 × worker_connections 512 (ngx_event.c DEFAULT_CONNECTIONS); the count
  // takes in the worker's connections to auth_http and the backend too. Out of connections,
  // ngx_event_accept() logs "512 worker_connections are not enough" and closes the new socket.
  nginx: {
    setting: 'worker_processes 1 × worker_connections 512 (ngx_event.c DEFAULT_CONNECTIONS), upstream connections included',
    maxConnections: 512,
    whenFull: 'close',
    countsOutgoing: true,
    // ngx_get_connection() (src/core/ngx_connection.c): NGX_LOG_ALERT "%ui worker_connections are not
    // enough" with the worker's connection_n; a mail session is never reusable, so draining frees none.
    logWhenFull: { program: 'nginx', line: '[alert] 512 worker_connections are not enough' },
  },
  // HAProxy stops accepting at a frontend's maxconn; new connections wait in the listen backlog.
  // The edge example (examples/basic-config-edge.cfg) sets no maxconn anywhere, so the frontend's is
  // 0 = the global one (doc/configuration.txt, proxy "maxconn"), which HAProxy computes at start
  // (src/limits.c compute_ideal_maxconn()): with no limit configured, the larger of the soft and hard
  // RLIMIT_NOFILE capped at DEFAULT_MAXFD 1048576, less the listeners' descriptors, over two
  // descriptors per proxied connection (mode tcp, no splicing: no pipes). Under systemd (>= 240, as in
  // Debian 12) the hard limit is 524288, and the two listeners of this chain leave (524288 - 2) / 2.
  haproxy: {
    setting: 'global maxconn 262143, computed by HAProxy (compute_ideal_maxconn) from systemd\'s hard RLIMIT_NOFILE 524288',
    maxConnections: 262_143,
    whenFull: 'wait',
  },
};

/**
 * Postfix's smtpd service: master.cf's maxproc "-" is default_process_limit = 100; at the limit
 * master stops accepting and the connection waits for a free smtpd (master_avail.c). The per-client
 * smtpd_client_connection_count_limit (anvil, 421) exempts XCLIENT-authorized hosts and $mynetworks
 * (smtpd.c smtpd_proto(): !xclient_allowed, smtpd_client_event_limit_exceptions), which the front
 * always is on loopback: the front's connections compete only with each other.
 */
export const POSTFIX_LISTENER_LIMITS: ListenerLimits = {
  setting: 'master.cf smtpd maxproc = default_process_limit = 100',
  maxConnections: 100,
  whenFull: 'wait',
};
