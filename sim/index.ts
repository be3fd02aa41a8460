/* index - the simulator's public surface */
export { Simulation, type HeldConnection, type IdleDeadlineEnd, type KernelEnd, type LinkOptions, type ListenOptions, type NodeOptions, type RunResult, type SimulationOptions } from './simulation.ts';
export { LivenessError, SimConfigError } from './errors.ts';
export { TraceRecorder, type TraceEvent, type TraceKind, type LogRecord, type FactRecord } from './trace.ts';
export { TCP_PROFILES, type TcpProfileName } from './tcp/profiles.ts';
export { FAULT_CATALOGUE, faultDefinition, type AnyFaultDefinition, type FaultName, type FaultSpec } from './faults/catalogue.ts';
export { Prng } from './prng.ts';
