// Every table of Tsubaki, for drizzle-kit and the query builder. Each area keeps its own file.
export * from "./ledger";
export * from "./identity";
export * from "./payments";
export * from "./city";
export * from "./bus";
