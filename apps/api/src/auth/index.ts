// Identity and access at the HTTP boundary: who is calling (access tokens, terminal signatures, the service token),
// the keys that sign tokens, the guessing limit of pairing, and store failures as problems. The decisions
// themselves are @tsubaki/auth's; the state is @tsubaki/db's identity store; the one authorization step is
// routes/registry.ts.
export * from "./principal";
export * from "./jwt";
export * from "./device";
export * from "./keys";
export * from "./service";
export * from "./throttle";
export * from "./problems";
export * from "./actor";
