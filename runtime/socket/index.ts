/* index - the socket runtime's public surface */
export { SocketRuntime, type ListenSpec, type RuntimeHeld, type NodeOptions, type SocketRuntimeOptions, type TlsIdentity } from './runtime.ts';
export { DEFAULT_LIMITS, type RuntimeLimits } from './limits.ts';
export type { RuntimeEvent, RuntimeEventListener } from './events.ts';
export { selfSignedIdentity } from './self-signed.ts';
export { ACCEPT_QUEUE_MAX, LAB_LISTENER_LIMITS, type ListenerLimits, type WhenFull } from './listener-limits.ts';
