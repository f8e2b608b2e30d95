export { createApiClient, newIdempotencyKey, requestTimeoutMsDefault, type ApiClient, type ApiClientOptions, type RequestOptions, type TokenPair } from "./client";
export { ApiError, clientProblem, problemFrom, unwrap, type ApiProblem, type ApiResult } from "./problem";
